package dev.rosetta.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.train.TrainingListener;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;

/** batch_norm, layer_norm, add, concat and graph wiring, against formulas written in Java. */
class TensorflowGraphLayersTest {
  private static final double EPS = 1e-5;

  static float[] random(int n, long seed, double scale, double offset) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (offset + scale * (r.nextDouble() * 2 - 1));
    }
    return out;
  }

  /** A copy of {@code w} with one tensor replaced. */
  static WeightSet with(WeightSet w, String name, float... data) {
    Map<String, Tensor> m = new LinkedHashMap<>(w.tensors());
    m.put(name, new Tensor(w.get(name).shape(), data));
    return new WeightSet(m);
  }

  /** A spec that is one batch_norm layer on {@code sample}, MSE loss, plain SGD. */
  static CheckedSpec bnSpec(double momentum, int... sample) {
    return ModelSpec.builder().setInput(sample).add(new Layer.BatchNorm("bn", momentum, EPS))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }

  static Batch batch(Shape sample, float[] x, int n) {
    return new Batch(sample, x, null, new float[x.length], n);
  }

  /** Per channel of an NCHW batch: {mean, biased variance, values per channel}. */
  static double[][] channelStats(float[] x, int n, int channels, int spatial) {
    double[][] out = new double[channels][3];
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < spatial; k++) {
          sum += x[(i * channels + c) * spatial + k];
        }
      }
      int count = n * spatial;
      double mean = sum / count;
      double sq = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < spatial; k++) {
          double d = x[(i * channels + c) * spatial + k] - mean;
          sq += d * d;
        }
      }
      out[c] = new double[] {mean, sq / count, count};
    }
    return out;
  }

  /** y = (x - mean) / sqrt(var + eps) * weight + bias per channel of an NCHW batch. */
  static float[] normalize(
      float[] x, int n, int channels, int spatial, double[] mean, double[] var, float[] w, float[] b) {
    float[] y = new float[x.length];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        for (int k = 0; k < spatial; k++) {
          int at = (i * channels + c) * spatial + k;
          y[at] = (float) ((x[at] - mean[c]) / Math.sqrt(var[c] + EPS) * w[c] + b[c]);
        }
      }
    }
    return y;
  }

  /** Training output on batch statistics vs the formula; rank 3 ([C, H, W]) and rank 1 ([F]). */
  @Test
  void batchNormTrainingNormalizesWithTheBatchStatistics() {
    checkTrainingOutput(new int[] {2, 3, 3}, 4);
    checkTrainingOutput(new int[] {3}, 5);
  }

  private void checkTrainingOutput(int[] sample, int n) {
    CheckedSpec spec = bnSpec(0.3, sample);
    int channels = sample[0];
    int spatial = (int) (Shape.of(sample).size() / channels);
    float[] w = random(channels, 1, 1, 1);
    float[] b = random(channels, 2, 1, 0);
    WeightSet weights = with(with(Initializer.initialize(spec), "bn.weight", w), "bn.bias", b);
    float[] x = random(n * channels * spatial, 3, 2, 0.7);
    double[][] st = channelStats(x, n, channels, spatial);
    double[] mean = new double[channels];
    double[] var = new double[channels];
    for (int c = 0; c < channels; c++) {
      mean[c] = st[c][0];
      var[c] = st[c][1];
    }
    float[] want = normalize(x, n, channels, spatial, mean, var, w, b);
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, weights)) {
      assertArrayEquals(want, m.trainingOutput(batch(Shape.of(sample), x, n), 1), 2e-5f);
      // Not the running statistics (zeros and ones): the evaluation output differs.
      float[] eval = m.predict(x, n);
      assertNotEquals(want[0], eval[0], 1e-2f);
    }
  }

  /**
   * One train step: running_mean = 0.7 * old + 0.3 * batch mean and running_var = 0.7 * old +
   * 0.3 * unbiased batch variance (momentum 0.3, so a Keras-convention swap fails, and few
   * values per channel, so a biased variance fails). The affine pair takes an SGD step on its
   * gradient; gradients() names only the trainable pair.
   */
  @Test
  void trainStepUpdatesRunningStatisticsWithMomentumAndUnbiasedVariance() {
    checkRunningStats(new int[] {3}, 4);
    checkRunningStats(new int[] {2, 2, 3}, 3);
  }

  private void checkRunningStats(int[] sample, int n) {
    CheckedSpec spec = bnSpec(0.3, sample);
    int channels = sample[0];
    int spatial = (int) (Shape.of(sample).size() / channels);
    float[] oldMean = random(channels, 4, 1, 0);
    float[] oldVar = random(channels, 5, 0.5, 1.5);
    WeightSet w0 = Initializer.initialize(spec);
    w0 = with(w0, "bn.weight", random(channels, 6, 0.5, 1));
    w0 = with(w0, "bn.bias", random(channels, 7, 0.5, 0));
    w0 = with(w0, "bn.running_mean", oldMean);
    w0 = with(w0, "bn.running_var", oldVar);
    float[] x = random(n * channels * spatial, 8, 2, -0.4);
    // MSE towards targets that are not the batch-normalised output, so the gradients are not 0.
    float[] t = random(x.length, 9, 1, 0.5);
    Batch b = new Batch(Shape.of(sample), x, null, t, n);
    double[][] st = channelStats(x, n, channels, spatial);
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, w0)) {
      WeightSet g = m.gradients(b, 1);
      assertEquals(Set.of("bn.weight", "bn.bias"), g.names(), "gradients are for trainable parameters only");
      m.trainStep(b, 1);
      WeightSet w1 = m.weights();
      for (int c = 0; c < channels; c++) {
        double count = st[c][2];
        double wantMean = 0.7 * oldMean[c] + 0.3 * st[c][0];
        double wantVar = 0.7 * oldVar[c] + 0.3 * st[c][1] * count / (count - 1);
        assertEquals(wantMean, w1.get("bn.running_mean").data()[c], 1e-5, "running_mean[" + c + "]");
        assertEquals(wantVar, w1.get("bn.running_var").data()[c], 1e-5, "running_var[" + c + "]");
      }
      for (String p : List.of("bn.weight", "bn.bias")) {
        float[] before = w0.get(p).data();
        float[] grad = g.get(p).data();
        for (int c = 0; c < channels; c++) {
          assertNotEquals(0f, grad[c], p);
          assertEquals(before[c] - 0.1f * grad[c], w1.get(p).data()[c], 1e-6f, p + "[" + c + "]");
        }
      }
    }
  }

  /** Evaluation normalises with the running statistics, which load as given (a checkpoint). */
  @Test
  void predictUsesTheRunningStatistics() {
    int[] sample = {3, 2, 2};
    CheckedSpec spec = bnSpec(0.1, sample);
    float[] w = random(3, 10, 1, 1);
    float[] bias = random(3, 11, 1, 0);
    float[] rm = random(3, 12, 1, 0);
    float[] rv = random(3, 13, 0.5, 1);
    WeightSet weights = Initializer.initialize(spec);
    weights = with(with(with(with(weights, "bn.weight", w), "bn.bias", bias), "bn.running_mean", rm), "bn.running_var", rv);
    float[] x = random(2 * 12, 14, 2, 0);
    double[] mean = new double[3];
    double[] var = new double[3];
    for (int c = 0; c < 3; c++) {
      mean[c] = rm[c];
      var[c] = rv[c];
    }
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, weights)) {
      assertEquals(weights, m.weights(), "buffers load and read back exactly");
      assertArrayEquals(normalize(x, 2, 3, 4, mean, var, w, bias), m.predict(x, 2), 1e-5f);
    }
  }

  /**
   * The gradient flows through the batch statistics: dense -> batch_norm -> MSE, the dense
   * weight's gradient against central differences of the same function in Java doubles. The
   * dense bias gradient is 0, since batch norm subtracts the per-channel mean it shifts.
   */
  @Test
  void gradientFlowsThroughTheBatchStatistics() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(4).dense("fc", 3).add(new Layer.BatchNorm("bn", 0.1, EPS))
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(spec);
    w = with(with(w, "bn.weight", 1.5f, 0.5f, -1f), "bn.bias", 0.1f, -0.2f, 0.3f);
    int n = 5;
    float[] x = random(n * 4, 40, 1, 0);
    float[] t = random(n * 3, 41, 1, 0);
    double[] weight = new double[12];
    for (int k = 0; k < 12; k++) {
      weight[k] = w.get("fc.weight").data()[k];
    }
    WeightSet fixed = w;
    java.util.function.ToDoubleFunction<double[]> loss = wt -> {
      double[] h = new double[n * 3];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 3; j++) {
          double s = fixed.get("fc.bias").data()[j];
          for (int k = 0; k < 4; k++) {
            s += wt[j * 4 + k] * x[i * 4 + k];
          }
          h[i * 3 + j] = s;
        }
      }
      double sum = 0;
      for (int j = 0; j < 3; j++) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
          mean += h[i * 3 + j] / n;
        }
        double var = 0;
        for (int i = 0; i < n; i++) {
          var += (h[i * 3 + j] - mean) * (h[i * 3 + j] - mean) / n;
        }
        for (int i = 0; i < n; i++) {
          double y = (h[i * 3 + j] - mean) / Math.sqrt(var + EPS) * fixed.get("bn.weight").data()[j]
              + fixed.get("bn.bias").data()[j];
          sum += (y - t[i * 3 + j]) * (y - t[i * 3 + j]);
        }
      }
      return sum / (n * 3);
    };
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, w)) {
      WeightSet g = m.gradients(new Batch(Shape.of(4), x, null, t, n), 1);
      for (int k = 0; k < 12; k++) {
        double[] up = weight.clone();
        double[] down = weight.clone();
        up[k] += 1e-5;
        down[k] -= 1e-5;
        double numeric = (loss.applyAsDouble(up) - loss.applyAsDouble(down)) / 2e-5;
        assertEquals(numeric, g.get("fc.weight").data()[k], 1e-4, "fc.weight[" + k + "]");
      }
      for (float b : g.get("fc.bias").data()) {
        assertEquals(0, b, 1e-5);
      }
    }
  }

  /** The gradient probe runs the training forward pass but writes nothing, statistics included. */
  @Test
  void gradientsLeaveTheRunningStatisticsUnchanged() {
    CheckedSpec spec = bnSpec(0.3, 2, 3, 3);
    WeightSet w0 = with(Initializer.initialize(spec), "bn.running_mean", 0.25f, -0.5f);
    float[] x = random(4 * 18, 15, 2, 1);
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, w0)) {
      for (int step = 1; step <= 3; step++) {
        m.gradients(new Batch(Shape.of(2, 3, 3), x, null, random(x.length, 16, 1, 0), 4), step);
      }
      assertEquals(w0, m.weights());
    }
  }

  /** PyTorch refuses batch norm training on one value per channel; so does this backend. */
  @Test
  void oneValuePerChannelIsRejectedInTraining() {
    CheckedSpec spec = bnSpec(0.1, 3);
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
      Batch one = batch(Shape.of(3), new float[] {1, 2, 3}, 1);
      assertThrows(IllegalArgumentException.class, () -> m.trainStep(one, 1));
      assertArrayEquals(new float[] {1, 2, 3}, m.predict(new float[] {1, 2, 3}, 1), 1e-4f);
    }
  }

  /** Running-stat writes are ordered after every gradient, like the optimizer's. */
  @Test
  void runningStatWritesWaitForAllGradients() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(2, 4, 4).conv2d("conv", 3, 3).batchNorm("bn").relu("r")
            .globalAvgPool2d("gap").dense("fc", 2)
            .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01)).build();
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
      List<Operation> computed = m.computedOps();
      assertEquals(1 + 6, computed.size(), "loss and the gradients of conv, bn and fc weight and bias");
      List<String> statWrites = new ArrayList<>();
      for (Operation u : m.updateOps()) {
        for (Operation w : TensorflowBackendTest.writers(u)) {
          if (w.name().contains("running_stats")) {
            statWrites.add(w.name());
          }
          Set<String> ancestors = TensorflowBackendTest.ancestors((GraphOperation) w);
          for (Operation c : computed) {
            assertTrue(ancestors.contains(c.name()), w.name() + " may run before " + c.name());
          }
        }
      }
      assertEquals(2, statWrites.size(), "running_mean and running_var writes: " + statWrites);
    }
  }

  /** Layer norm over the last 1 and the last 3 sample axes, in training and evaluation. */
  @Test
  void layerNormMatchesTheFormula() {
    checkLayerNorm(new int[] {3, 4}, 1);
    checkLayerNorm(new int[] {2, 3, 4}, 3);
  }

  private void checkLayerNorm(int[] sample, int axes) {
    CheckedSpec spec =
        ModelSpec.builder().setInput(sample).add(new Layer.LayerNorm("ln", axes, EPS))
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    int group = 1;
    for (int k = sample.length - axes; k < sample.length; k++) {
      group *= sample[k];
    }
    float[] w = random(group, 20, 1, 1);
    float[] b = random(group, 21, 1, 0);
    WeightSet weights = with(with(Initializer.initialize(spec), "ln.weight", w), "ln.bias", b);
    int n = 2;
    float[] x = random(n * (int) Shape.of(sample).size(), 22, 3, 0.5);
    // Every contiguous block of `group` values (row-major) is normalised on its own.
    float[] want = new float[x.length];
    for (int g = 0; g < x.length / group; g++) {
      double mean = 0;
      for (int k = 0; k < group; k++) {
        mean += x[g * group + k];
      }
      mean /= group;
      double var = 0;
      for (int k = 0; k < group; k++) {
        var += (x[g * group + k] - mean) * (x[g * group + k] - mean);
      }
      var /= group;
      for (int k = 0; k < group; k++) {
        want[g * group + k] = (float) ((x[g * group + k] - mean) / Math.sqrt(var + EPS) * w[k] + b[k]);
      }
    }
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, weights)) {
      assertArrayEquals(want, m.predict(x, n), 2e-5f, "axes " + axes);
      assertArrayEquals(want, m.trainingOutput(batch(Shape.of(sample), x, n), 1), 2e-5f, "axes " + axes);
    }
  }

  @Test
  void addSumsItsInputs() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(2, 3).tanh("t").add(new Layer.Sigmoid("s"), ModelSpec.INPUT)
            .addOf("sum", ModelSpec.INPUT, "t", "s")
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    float[] x = random(2 * 6, 30, 2, 0);
    float[] want = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      want[i] = (float) (x[i] + Math.tanh(x[i]) + 1 / (1 + Math.exp(-x[i])));
    }
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
      assertArrayEquals(want, m.predict(x, 2), 1e-5f);
    }
  }

  /** Concat on sample axis 0 (channels) and -1 (width) of an NCHW sample [2, 2, 2]. */
  @Test
  void concatJoinsAlongTheSampleAxis() {
    float[] x = random(2 * 8, 31, 2, 0);
    for (int axis : new int[] {0, -1}) {
      CheckedSpec spec =
          ModelSpec.builder().setInput(2, 2, 2).tanh("t").concat("cat", axis, ModelSpec.INPUT, "t")
              .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
      // axis 0: each sample is its 8 inputs then their 8 tanh values; axis -1: each row of 2
      // (one (c, h)) is followed by its tanh row.
      int block = axis == 0 ? 8 : 2;
      float[] want = new float[2 * x.length];
      for (int r = 0; r < x.length / block; r++) {
        for (int k = 0; k < block; k++) {
          float v = x[r * block + k];
          want[2 * r * block + k] = v;
          want[(2 * r + 1) * block + k] = (float) Math.tanh(v);
        }
      }
      try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
        assertArrayEquals(want, m.predict(x, 2), 1e-6f, "axis " + axis);
      }
    }
  }

  static Layer.Conv2d sameConv(String name, int filters) {
    return new Layer.Conv2d(
        name, filters, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1, true,
        Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
  }

  /** stem conv -> relu, then conv -> batch_norm -> relu -> conv -> add(block input) -> relu. */
  static CheckedSpec residual() {
    return ModelSpec.builder()
        .setInput(2, 6, 6)
        .add(sameConv("stem", 4)).relu("block_in")
        .add(sameConv("c1", 4)).add(new Layer.BatchNorm("bn1", 0.3, EPS)).relu("r1")
        .add(sameConv("c2", 4))
        .addOf("res", "c2", "block_in").relu("r2")
        .globalAvgPool2d("gap").dense("fc", 3)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01))
        .optTraining(6, 16, 17, true)
        .build();
  }

  /** Three classes of 2x6x6 images: a bright band of rows, placed by class, in channel 0. */
  static Dataset bands(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 72];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
      for (int k = 0; k < 72; k++) {
        int row = (k % 36) / 6;
        boolean band = k < 36 && row / 2 == y[i];
        x[i * 72 + k] = (float) ((band ? 1.5 : 0) + r.nextDouble() - 0.5);
      }
    }
    return Dataset.classification(Shape.of(2, 6, 6), x, y, "bands");
  }

  @Test
  void residualGraphTrainsAndIsReproducible() {
    CheckedSpec spec = residual();
    assertTrue(spec.spec().isGraph());
    TensorflowBackend backend = new TensorflowBackend();
    assertTrue(backend.unsupported(spec).isEmpty(), backend.unsupported(spec).toString());
    Dataset data = bands(96, 3);
    WeightSet[] out = new WeightSet[2];
    for (int run = 0; run < 2; run++) {
      List<Double> epochLoss = new ArrayList<>();
      try (TensorflowModel m = backend.createModel(spec, Initializer.initialize(spec))) {
        new TrainingLoop(spec, data, null)
            .addListener(new TrainingListener() {
              @Override
              public void onEpoch(EpochEvent e) {
                epochLoss.add(e.trainLoss());
              }
            })
            .run(m);
        out[run] = m.weights();
      }
      assertEquals(6, epochLoss.size());
      double first = epochLoss.get(0);
      double last = epochLoss.get(epochLoss.size() - 1);
      assertTrue(last < first * 0.5, "loss by epoch " + epochLoss);
      for (int e = 1; e < epochLoss.size(); e++) {
        assertTrue(epochLoss.get(e) < epochLoss.get(e - 1), "loss by epoch " + epochLoss);
      }
    }
    assertEquals(out[0], out[1], "same seed, same weights and running statistics, bit for bit");
    WeightSet init = Initializer.initialize(spec);
    assertFalse(java.util.Arrays.equals(init.get("bn1.running_mean").data(), out[0].get("bn1.running_mean").data()));
    assertFalse(java.util.Arrays.equals(init.get("bn1.running_var").data(), out[0].get("bn1.running_var").data()));
  }

  /** The SavedModel (through DJL) evaluates batch_norm on the running statistics, as predict does. */
  @Test
  void savedModelOfABatchNormModelPredictsAsPredict() {
    CheckedSpec spec = residual();
    Dataset data = bands(48, 5);
    TensorflowBackend backend = new TensorflowBackend();
    try (TensorflowModel m = backend.createModel(spec, Initializer.initialize(spec))) {
      for (int s = 1; s <= 3; s++) {
        m.trainStep(data.slice(16 * (s - 1), 16 * s), s);
      }
      assertNotEquals(
          Initializer.initialize(spec).get("bn1.running_var"), m.weights().get("bn1.running_var"));
      float[] want = m.predict(data.features(), 48);
      try (InferenceModel djl = backend.inference(spec, m.weights())) {
        assertArrayEquals(want, djl.predict(data.features(), 48), 1e-6f);
      }
    }
  }
}
