package dev.rosetta.tests.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.Dataset;
import dev.rosetta.cli.bench.DjlReferenceLoop;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.testkit.SyntheticData;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written loop {@code rosetta bench --reference} compares against must do Rosetta's
 * work and no other, or the comparison says nothing: step for step, both give the same bits.
 */
class DjlReferenceLoopTest {

  private static CheckedSpec stack(Optimizer opt) {
    return ModelSpec.builder()
        .setInput(4)
        .dense("fc1", 16)
        .relu("relu1")
        .dense("fc2", 8)
        .relu("relu2")
        .dense("out", 3)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(opt)
        .optTraining(1, 16, 11, true)
        .build();
  }

  @Test
  void trainsToTheSameBitsAsRosettasLowering() {
    CheckedSpec spec = stack(new Optimizer.Sgd(0.1, 0, 0, false));
    WeightSet init = Initializer.initialize(spec);
    Dataset data = SyntheticData.blobs(Shape.of(4), 3, 16 * 25, 3);
    try (TrainableModel rosetta = Backends.get("pytorch").create(spec, init);
        DjlReferenceLoop hand = new DjlReferenceLoop(spec, init)) {
      for (int s = 0; s < 25; s++) {
        float a = rosetta.trainStep(data.slice(s * 16, s * 16 + 16), s + 1);
        float b = hand.trainStep(data.slice(s * 16, s * 16 + 16));
        assertEquals(Float.floatToIntBits(a), Float.floatToIntBits(b), "loss at step " + (s + 1));
      }
      WeightSet after = hand.weights();
      assertEquals(rosetta.weights(), after);
      assertNotEquals(init, after, "25 steps at lr 0.1 moved the weights");
    }
  }

  @Test
  void saysWhatItCannotTrain() {
    CheckedSpec adam = stack(new Optimizer.Adam(0.001));
    assertEquals(List.of("optimizer is not plain sgd (the loop has no momentum, weight decay or adam)"), DjlReferenceLoop.unsupported(adam));
    CheckedSpec tanh =
        ModelSpec.builder().setInput(4).dense("fc1", 5).tanh("t").dense("fc2", 3)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1, 0.9, 0, false)).build();
    List<String> why = DjlReferenceLoop.unsupported(tanh);
    assertEquals(3, why.size(), why.toString());
    assertTrue(why.get(0).contains("layer 't' is tanh"), why.toString());
    assertTrue(why.get(1).contains("loss is mse"), why.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DjlReferenceLoop(adam, Initializer.initialize(adam)));
    assertTrue(e.getMessage().contains("cannot train"), e.getMessage());
    assertTrue(DjlReferenceLoop.unsupported(stack(new Optimizer.Sgd(0.01, 0, 0, false))).isEmpty());
  }
}
