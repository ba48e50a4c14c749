package dev.rosetta.spec;

import static dev.rosetta.spec.SpecJsonTest.SEED;
import static dev.rosetta.spec.SpecJsonTest.onlyError;
import static dev.rosetta.spec.SpecJsonTest.seedWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-layer training options on the layer's JSON object: read, written, checked. */
class LayerOptionsSpecTest {
  static final String FC1 = "{\"type\": \"dense\", \"name\": \"fc1\", \"units\": 128}";

  static String fc1(String extra) {
    return seedWith(FC1, "{\"type\": \"dense\", \"name\": \"fc1\", \"units\": 128, " + extra + "}");
  }

  static List<SpecIssue> warnings(String json) {
    return SpecJson.parseWithReport(json, "t").report().issues().stream()
        .filter(i -> i.severity() == SpecIssue.Severity.WARNING).toList();
  }

  @Test
  void optionsAreReadWrittenAndReachTheCheckedSpec() {
    CheckedSpec s = SpecJson.parse(fc1("\"trainable\": false, \"l2\": 0.001"), "t");
    assertEquals(new LayerOptions(false, 1, 0, 0.001, LayerOptions.FrozenMode.INFERENCE), s.spec().optionsOf("fc1"));
    assertEquals(LayerOptions.DEFAULT, s.spec().optionsOf("fc2"));
    assertEquals(List.of("fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"),
        s.trainedParams().stream().map(ParamSpec::name).toList());
    assertEquals(List.of(new CheckedSpec.Penalty("fc1.weight", 0, 0.001)), s.penalties());
    String w = SpecJson.write(s);
    assertTrue(w.contains("\"trainable\" : false"), w);
    assertEquals(s.spec(), SpecJson.parse(w, "again").spec());
  }

  @Test
  void layersWithoutOptionsWriteNone() {
    assertFalse(SpecJson.write(SpecJson.parse(SEED, "seed")).contains("trainable"));
  }

  @Test
  void multipliersFollowTheTrainedParameters() {
    CheckedSpec s = SpecJson.parse(fc1("\"lr_multiplier\": 0.1"), "t");
    assertEquals(List.of(0.1, 0.1, 1.0, 1.0, 1.0, 1.0), java.util.Arrays.stream(s.lrMultipliers()).boxed().toList());
  }

  @Test
  void badValuesAreNamedByPathAndLayer() {
    SpecIssue e = onlyError(fc1("\"lr_multiplier\": 0"));
    assertEquals("$.layers[0].lr_multiplier", e.path());
    assertEquals("fc1", e.layer());
    assertTrue(e.message().contains("fc1.lr_multiplier must be > 0 and finite (got 0"), e.message());
    SpecIssue t = onlyError(fc1("\"trainable\": \"no\""));
    assertEquals("$.layers[0].trainable", t.path());
    SpecIssue u = onlyError(fc1("\"trainabel\": false"));
    assertEquals("$.layers[0].trainabel", u.path());
    assertTrue(u.message().contains("allowed:") && u.message().contains("trainable"), u.message());
  }

  @Test
  void aPenaltyNeedsAKernel() {
    String json = seedWith("{\"type\": \"relu\", \"name\": \"relu1\"}", "{\"type\": \"relu\", \"name\": \"relu1\", \"l2\": 0.1}");
    SpecIssue e = onlyError(json);
    assertEquals("$.layers[1].l2", e.path());
    assertTrue(e.message().contains("has no kernel for an l1/l2 penalty"), e.message());
  }

  @Test
  void frozenModeOnlyOnBatchNorm() {
    SpecIssue e = onlyError(fc1("\"trainable\": false, \"frozen_mode\": \"training\""));
    assertEquals("$.layers[0].frozen_mode", e.path());
    assertTrue(e.message().contains("frozen_mode applies to batch_norm only"), e.message());
  }

  @Test
  void freezingALayerWithoutParametersIsAWarning() {
    String json = seedWith("{\"type\": \"relu\", \"name\": \"relu1\"}", "{\"type\": \"relu\", \"name\": \"relu1\", \"trainable\": false}");
    List<SpecIssue> w = warnings(json);
    assertEquals(1, w.size(), w.toString());
    assertEquals("$.layers[1].trainable", w.get(0).path());
    assertTrue(w.get(0).message().contains("has no parameters: trainable has no effect"), w.get(0).message());
  }

  @Test
  void freezingEverythingIsAWarning() {
    CheckedSpec s = ModelSpec.builder().setInput(4).dense("a", 3).relu("r").dense("b", 2).freeze("a", "b")
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    assertTrue(s.warnings().stream().anyMatch(x -> x.message().contains("every layer with parameters is frozen")), s.warnings().toString());
    assertTrue(s.trainedParams().isEmpty());
  }

  @Test
  void theBuilderRefusesOptionsForAMissingLayer() {
    SpecException e = org.junit.jupiter.api.Assertions.assertThrows(SpecException.class,
        () -> ModelSpec.builder().setInput(4).dense("a", 3).freeze("nope")
            .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build());
    assertTrue(e.getMessage().contains("training options for 'nope', which is not a layer"), e.getMessage());
  }
}
