package dev.rosetta.tests.controls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightTransfer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The specs behind the README's fine-tuning and overfitting runs (examples/fine-tune,
 * examples/overfitting) stay valid and fit together: each step of the fine-tuning chain loads the
 * previous step's checkpoint by name with exactly the intended tensors new, and the regularised
 * overfitting spec differs from the plain one by its controls only.
 */
class ExampleWorkflowsTest {
  static CheckedSpec example(String path) {
    String dir = System.getProperty("rosetta.examplesDir");
    return SpecJson.read((dir != null ? Path.of(dir) : Path.of("..", "examples")).resolve(path));
  }

  static List<String> names(List<ParamSpec> params) {
    return params.stream().map(ParamSpec::name).toList();
  }

  @Test
  void fineTuningChainLoadsByNameWithOnlyTheHeadNew() {
    CheckedSpec pre = example("fine-tune/fashion-cnn-8.json");
    CheckedSpec head = example("fine-tune/fashion-cnn-2-head.json");
    CheckedSpec all = example("fine-tune/fashion-cnn-2-all.json");

    WeightTransfer t = WeightTransfer.byName(head, Initializer.initialize(pre), "pretrain", false);
    assertEquals(List.of("head.weight", "head.bias"), t.initialised());
    assertEquals(List.of("fc2.bias", "fc2.weight"), t.ignored().stream().sorted().toList());
    assertEquals(12, t.loaded().size(), t.loaded().toString());
    // Only the head learns in the second step; everything but its tensors is frozen.
    assertEquals(List.of("head.weight", "head.bias"), names(head.trainedParams()));

    WeightTransfer u = WeightTransfer.byName(all, Initializer.initialize(head), "head run", false);
    assertTrue(u.complete(), "the unfrozen step continues from every tensor of the head run");
    assertEquals(names(all.params()), names(all.params()).stream().filter(n -> u.loaded().contains(n)).toList());
    assertTrue(all.optimizer().learningRate() < pre.optimizer().learningRate(), "fine-tuning runs at a lower rate");
  }

  @Test
  void regularisedOverfittingSpecAddsTheControlsOnly() {
    CheckedSpec plain = example("overfitting/fashion-cnn-plain.json");
    CheckedSpec reg = example("overfitting/fashion-cnn-regularised.json");
    assertEquals(names(plain.params()), names(reg.params()), "same weights: dropout and penalties add none");
    assertNull(plain.training().earlyStopping());
    assertTrue(plain.training().augmentation().isEmpty());
    assertTrue(plain.penalties().isEmpty());
    assertNotNull(reg.training().earlyStopping());
    assertTrue(reg.training().earlyStopping().restoreBestWeights());
    assertEquals(2, reg.training().augmentation().size());
    assertEquals(List.of(new CheckedSpec.Penalty("fc1.weight", 0, 5e-4)), reg.penalties());
    assertFalse(plain.warnings().size() > 0 || reg.warnings().size() > 0, "both specs validate without warnings");
  }
}
