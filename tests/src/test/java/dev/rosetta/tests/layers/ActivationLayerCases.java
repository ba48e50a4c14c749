package dev.rosetta.tests.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.data.Batch;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.train.Backend;
import dev.rosetta.train.TrainableModel;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * leaky_relu, elu, gelu and reshape on every backend, against values computed by hand from the
 * IR's formulas: outputs, and the activation's derivative through a weight's gradient.
 */
abstract class ActivationLayerCases {
  /** The backend under test; one subclass per backend. */
  abstract Backend backend();

  static final double[] XS = {-3, -2, -1, -0.5, 0, 0.5, 1, 2, 3};
  /** Standard normal CDF at XS (tabulated): exact GELU is x * Phi(x). */
  static final double[] PHI = {
    0.0013498980316301, 0.022750131948179195, 0.15865525393145707, 0.3085375387259869, 0.5,
    0.6914624612740131, 0.8413447460685429, 0.9772498680518208, 0.9986501019683699
  };

  /**
   * [1] -> dense(1, no bias, weight 1) -> activation, so the output is act(x) and, with MSE
   * against 0 on one sample, d loss / d weight = 2 act(x) act'(x) x.
   */
  void check(Layer activation, DoubleUnaryOperator f, DoubleUnaryOperator df) {
    ModelSpec spec =
        ModelSpec.builder().setInput(1)
            .add(new Layer.Dense("fc", 1, false, Init.UNIFORM_FAN_IN, Init.ZEROS)).add(activation)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = new WeightSet(Map.of("fc.weight", new Tensor(Shape.of(1, 1), new float[] {1f})));
    float[] x = new float[XS.length];
    float[] want = new float[XS.length];
    for (int i = 0; i < XS.length; i++) {
      x[i] = (float) XS[i];
      want[i] = (float) f.applyAsDouble(XS[i]);
    }
    try (TrainableModel m = backend().create(spec, w)) {
      assertArrayEquals(want, m.predict(x, XS.length), 1e-6f, activation.type() + " forward");
      for (int i = 0; i < XS.length; i++) {
        Batch b = new Batch(Shape.of(1), new float[] {x[i]}, null, new float[] {0f}, 1);
        double grad = 2 * f.applyAsDouble(XS[i]) * df.applyAsDouble(XS[i]) * XS[i];
        assertEquals(grad, m.gradients(b, 1).get("fc.weight").data()[0], 1e-5, activation.type() + " gradient at " + XS[i]);
      }
    }
  }

  @Test
  void leakyReluMatchesItsFormula() {
    check(new Layer.LeakyRelu("act", 0.2), v -> v >= 0 ? v : 0.2 * v, v -> v > 0 ? 1 : 0.2);
    check(new Layer.LeakyRelu("act"), v -> v >= 0 ? v : 0.01 * v, v -> v > 0 ? 1 : 0.01);
  }

  @Test
  void eluMatchesItsFormula() {
    check(new Layer.Elu("act", 0.5), v -> v > 0 ? v : 0.5 * Math.expm1(v), v -> v > 0 ? 1 : 0.5 * Math.exp(v));
    check(new Layer.Elu("act"), v -> v > 0 ? v : Math.expm1(v), v -> v > 0 ? 1 : Math.exp(v));
  }

  /** The tanh approximation is off by up to ~5e-4 at these points, far outside 1e-6. */
  @Test
  void geluIsTheExactErfForm() {
    check(new Layer.Gelu("act"), v -> v * phi(v), v -> phi(v) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI));
  }

  static double phi(double v) {
    for (int i = 0; i < XS.length; i++) {
      if (XS[i] == v) {
        return PHI[i];
      }
    }
    throw new IllegalArgumentException("no tabulated Phi(" + v + ")");
  }

  /** [12] -> reshape [3, -1] -> dense(2) on the last axis -> flatten: row-major rows of 4. */
  @Test
  void reshapeIsRowMajor() {
    ModelSpec spec =
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
