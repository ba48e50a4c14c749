package dev.rosetta.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import org.junit.jupiter.api.Test;

class InitializerTest {
  static CheckedSpec spec(long seed, boolean extraLayer) {
    ModelSpec.Builder b = ModelSpec.builder().setInput(20).dense("fc1", 30).relu("r");
    if (extraLayer) {
      b.dense("extra", 30);
    }
    return b.dense("fc2", 5).setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1))
        .optTraining(1, 8, seed, true).build();
  }

  @Test
  void sameSeedGivesBitIdenticalWeights() {
    assertEquals(Initializer.initialize(spec(7, false)), Initializer.initialize(spec(7, false)));
  }

  @Test
  void otherSeedGivesOtherWeights() {
    assertNotEquals(Initializer.initialize(spec(7, false)).get("fc1.weight"), Initializer.initialize(spec(8, false)).get("fc1.weight"));
  }

  @Test
  void eachTensorHasItsOwnStream() {
    // Adding a layer does not change the other layers' initial values.
    assertEquals(Initializer.initialize(spec(7, false)).get("fc1.weight"), Initializer.initialize(spec(7, true)).get("fc1.weight"));
    assertEquals(Initializer.initialize(spec(7, false)).get("fc2.bias"), Initializer.initialize(spec(7, true)).get("fc2.bias"));
  }

  @Test
  void pytorchDefaultBoundsForDense() {
    WeightSet w = Initializer.initialize(spec(3, false));
    float bound = (float) (1 / Math.sqrt(20));
    float max = 0;
    double sum = 0;
    for (float v : w.get("fc1.weight").data()) {
      max = Math.max(max, Math.abs(v));
      sum += v;
    }
    assertTrue(max <= bound, "max " + max);
    assertTrue(max > 0.95 * bound, "values should fill the interval, max " + max);
    assertTrue(Math.abs(sum / 600) < 0.03, "mean " + sum / 600);
    for (float v : w.get("fc1.bias").data()) {
      assertTrue(Math.abs(v) <= bound);
    }
  }

  @Test
  void otherSchemes() {
    CheckedSpec s = ModelSpec.builder().setInput(10)
        .add(new Layer.Dense("a", 6, true, Init.XAVIER_UNIFORM, Init.ZEROS))
        .add(new Layer.Dense("b", 4, true, Init.KAIMING_UNIFORM, Init.ONES))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(s);
    for (float v : w.get("a.weight").data()) {
      assertTrue(Math.abs(v) <= Math.sqrt(6.0 / 16));
    }
    for (float v : w.get("a.bias").data()) {
      assertEquals(0f, v);
    }
    for (float v : w.get("b.weight").data()) {
      assertTrue(Math.abs(v) <= Math.sqrt(6.0 / 6));
    }
    for (float v : w.get("b.bias").data()) {
      assertEquals(1f, v);
    }
  }
}
