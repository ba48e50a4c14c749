package dev.rosetta.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference's own formulas, checked by hand on tiny inputs: ONNX Runtime is checked against
 * this model, so it must not share a mistake with the lowering.
 */
class JavaReferenceModelTest {
  @Test
  void erfMatchesTabulatedValuesOnBothBranches() {
    // erf to double precision at points on the series branch (|x| < 3) and the continued fraction's.
    assertEquals(0.0, JavaReferenceModel.erf(0), 0);
    assertEquals(0.5204998778130465, JavaReferenceModel.erf(0.5), 1e-15);
    assertEquals(-0.8427007929497149, JavaReferenceModel.erf(-1), 1e-15);
    assertEquals(0.9953222650189527, JavaReferenceModel.erf(2), 1e-15);
    assertEquals(0.9999779095030014, JavaReferenceModel.erf(3), 1e-15);
    assertEquals(0.9999999845827421, JavaReferenceModel.erf(4), 1e-15);
    assertEquals(-1.0, JavaReferenceModel.erf(-9), 1e-15);
  }

  static ModelSpec.Builder builder(int... input) {
    return ModelSpec.builder().setInput(input).setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1));
  }

  static float[] run(CheckedSpec spec, Map<String, Tensor> weights, float... x) {
    int n = x.length / (int) spec.input().size();
    try (JavaReferenceModel m = new JavaReferenceModel(spec, new WeightSet(weights))) {
      return m.predict(x, n);
    }
  }

  static Tensor vector(float... v) {
    return new Tensor(Shape.of(v.length), v);
  }

  /** weight [2, 3], bias [1, -1], running mean [1, 2], running var + epsilon = [4, 1]. */
  static Map<String, Tensor> bnWeights() {
    Map<String, Tensor> w = new LinkedHashMap<>();
    w.put("bn.weight", vector(2, 3));
    w.put("bn.bias", vector(1, -1));
    w.put("bn.running_mean", vector(1, 2));
    w.put("bn.running_var", vector(3.75f, 0.75f));
    return w;
  }

  @Test
  void batchNormUsesTheRunningStatisticsPerFeature() {
    CheckedSpec spec = builder(2).add(new Layer.BatchNorm("bn", 0.1, 0.25)).build();
    // (5 - 1) / 2 * 2 + 1 = 5 and (0 - 2) / 1 * 3 - 1 = -7; the batch's own statistics play no part.
    assertArrayEquals(new float[] {5, -7, 3, 5}, run(spec, bnWeights(), 5, 0, 3, 4), 1e-6f);
  }

  @Test
  void batchNormNormalisesEachChannelOfAnImage() {
    CheckedSpec spec = builder(2, 1, 2).add(new Layer.BatchNorm("bn", 0.1, 0.25)).build();
    // Channel 0 is [5, 3], channel 1 is [0, 4].
    assertArrayEquals(new float[] {5, 3, -7, 5}, run(spec, bnWeights(), 5, 3, 0, 4), 1e-6f);
  }

  @Test
  void layerNormNormalisesEachRowWithTheBiasedVariance() {
    CheckedSpec spec = builder(2, 2).add(new Layer.LayerNorm("ln", 1, 3)).build();
    Map<String, Tensor> w = new LinkedHashMap<>();
    w.put("ln.weight", vector(2, 4));
    w.put("ln.bias", vector(0, 1));
    // Row [1, 3]: mean 2, variance 1, 1 / sqrt(1 + 3) = 1/2: [-1/2 * 2 + 0, 1/2 * 4 + 1].
    // Row [5, 5]: centred to zeros, leaving the bias.
    assertArrayEquals(new float[] {-1, 3, 0, 1}, run(spec, w, 1, 3, 5, 5), 1e-6f);
  }

  @Test
  void layerNormOverTwoAxesNormalisesTheWholeSample() {
    CheckedSpec spec = builder(2, 2).add(new Layer.LayerNorm("ln", 2, 4)).build();
    Map<String, Tensor> w = new LinkedHashMap<>();
    w.put("ln.weight", new Tensor(Shape.of(2, 2), new float[] {3, 3, 3, 3}));
    w.put("ln.bias", new Tensor(Shape.of(2, 2), new float[] {0, 0, 0, 1}));
    // [0, 2, 4, 6]: mean 3, variance (9 + 1 + 1 + 9) / 4 = 5, 1 / sqrt(5 + 4) = 1/3.
    assertArrayEquals(new float[] {-3, -1, 1, 4}, run(spec, w, 0, 2, 4, 6), 1e-6f);
  }

  @Test
  void addSumsEveryInputAndLayersReadWhatTheyName() {
    // relu reads the input; the add reads the input, the relu and the input again.
    CheckedSpec spec = builder(3).relu("r").addOf("sum", ModelSpec.INPUT, "r", ModelSpec.INPUT).build();
    assertArrayEquals(new float[] {-2, 6, -6}, run(spec, Map.of(), -1, 2, -3), 0f);
  }

  @Test
  void concatJoinsBlocksAlongTheSampleAxis() {
    float[] x = {1, -2, -3, 4};
    // [2, 1, 2] with its relu: on channels the samples follow each other...
    CheckedSpec channels = builder(2, 1, 2).relu("r").concat("cat", 0, ModelSpec.INPUT, "r").build();
    assertArrayEquals(new float[] {1, -2, -3, 4, 1, 0, 0, 4}, run(channels, Map.of(), x), 0f);
    // ...on the last axis (-1) each row of one is followed by the same row of the other.
    CheckedSpec last = builder(2, 1, 2).relu("r").concat("cat", -1, ModelSpec.INPUT, "r").build();
    assertArrayEquals(new float[] {1, -2, 1, 0, -3, 4, 0, 4}, run(last, Map.of(), x), 0f);
    // Inputs of different widths along the axis, over a batch of two samples.
    CheckedSpec uneven = builder(2).dense("d", 1).concat("cat", 0, "d", ModelSpec.INPUT).build();
    Map<String, Tensor> w = Map.of("d.weight", new Tensor(Shape.of(1, 2), new float[] {1, 1}), "d.bias", vector(0));
    assertArrayEquals(new float[] {3, 1, 2, 7, 3, 4}, run(uneven, w, 1, 2, 3, 4), 0f);
  }
}
