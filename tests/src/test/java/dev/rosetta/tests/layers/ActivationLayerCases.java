package dev.rosetta.tests.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.testkit.JavaReferenceModel;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Activations and reshape on every backend: outputs against the kit's reference interpreter,
 * and each activation's derivative, written out here, through a weight's gradient.
 */
abstract class ActivationLayerCases {
  /** The backend under test; one subclass per backend. */
  abstract Backend backend();

  static final double[] XS = {-3, -2, -1, -0.5, 0, 0.5, 1, 2, 3};

  /**
   * [1] -> dense(1, no bias, weight 1) -> activation, so the output is act(x) and, with MSE
   * against 0 on one sample, d loss / d weight = 2 act(x) act'(x) x.
   */
  void check(Layer activation, DoubleUnaryOperator df) {
    CheckedSpec spec =
        ModelSpec.builder().setInput(1)
            .add(new Layer.Dense("fc", 1, false, Init.UNIFORM_FAN_IN, Init.ZEROS)).add(activation)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = new WeightSet(Map.of("fc.weight", new Tensor(Shape.of(1, 1), new float[] {1f})));
    float[] x = new float[XS.length];
    for (int i = 0; i < XS.length; i++) {
      x[i] = (float) XS[i];
    }
    float[] want = new JavaReferenceModel(spec, w).predict(x, XS.length);
    try (TrainableModel m = backend().create(spec, w)) {
      assertArrayEquals(want, m.predict(x, XS.length), 1e-6f, activation.type() + " forward");
      for (int i = 0; i < XS.length; i++) {
        Batch b = new Batch(Shape.of(1), new float[] {x[i]}, null, new float[] {0f}, 1);
        double grad = 2 * want[i] * df.applyAsDouble(XS[i]) * XS[i];
        assertEquals(grad, m.gradients(b, 1).get("fc.weight").data()[0], 1e-5, activation.type() + " gradient at " + XS[i]);
      }
    }
  }

  @Test
  void leakyReluMatchesItsFormula() {
    check(new Layer.LeakyRelu("act", 0.2), v -> v > 0 ? 1 : 0.2);
    check(new Layer.LeakyRelu("act"), v -> v > 0 ? 1 : 0.01);
  }

  @Test
  void eluMatchesItsFormula() {
    check(new Layer.Elu("act", 0.5), v -> v > 0 ? 1 : 0.5 * Math.exp(v));
    check(new Layer.Elu("act"), v -> v > 0 ? 1 : Math.exp(v));
  }

  /**
   * Exact GELU, x * Phi(x), and its derivative Phi(x) + x * phi(x). The reference computes erf
   * in double; the tanh form differs from it by up to ~5e-4 at these points, far outside 1e-6.
   */
  @Test
  void geluIsTheExactErfForm() {
    check(new Layer.Gelu("act"),
        v -> 0.5 * (1 + JavaReferenceModel.erf(v / Math.sqrt(2))) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI));
  }

  /** GELU's tanh form: with u = c (x + k x^3), d/dx = (1 + tanh u) / 2 + x (1 - tanh^2 u) c (1 + 3 k x^2) / 2. */
  @Test
  void geluTanhIsPytorchsApproximation() {
    double c = Math.sqrt(2 / Math.PI);
    double k = 0.044715;
    check(new Layer.Gelu("act", Layer.Gelu.Approximation.TANH), v -> {
      double t = Math.tanh(c * (v + k * v * v * v));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * k * v * v);
    });
  }

  /** SiLU, x * sigmoid(x): d/dx = s + x s (1 - s). */
  @Test
  void siluIsXTimesSigmoid() {
    check(new Layer.Silu("act"), v -> {
      double sg = 1 / (1 + Math.exp(-v));
      return sg + v * sg * (1 - sg);
    });
  }

  /** [12] -> reshape [3, -1] -> dense(2) on the last axis -> flatten: row-major rows of 4. */
  @Test
  void reshapeIsRowMajor() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(12).reshape("r", 3, -1).dense("fc", 2).flatten("flat")
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(spec);
    float[] wt = w.get("fc.weight").data();
    float[] bias = w.get("fc.bias").data();
    float[] x = new float[24];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i + 1);
    }
    float[] want = new float[12];
    for (int s = 0; s < 2; s++) {
      for (int r = 0; r < 3; r++) {
        for (int o = 0; o < 2; o++) {
          double acc = bias[o];
          for (int k = 0; k < 4; k++) {
            acc += (double) x[s * 12 + r * 4 + k] * wt[o * 4 + k];
          }
          want[s * 6 + r * 2 + o] = (float) acc;
        }
      }
    }
    try (TrainableModel m = backend().create(spec, w)) {
      assertArrayEquals(want, m.predict(x, 2), 1e-5f);
    }
  }
}
