package dev.rosetta.tests.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.Training;
import dev.rosetta.testkit.BatchNormReference;
import dev.rosetta.testkit.JavaReferenceModel;
import dev.rosetta.testkit.SyntheticData;
import dev.rosetta.testkit.TestSpecs;
import dev.rosetta.train.TrainingListener;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * batch_norm, layer_norm, add, concat and a residual graph on every backend, through the SPI
 * alone. Evaluation outputs are checked against the kit's {@link JavaReferenceModel}, batch
 * norm's training output and running-statistic update against {@link BatchNormReference}, so no
 * formula is written here. The norms' weights, biases and running statistics are moved off their
 * defaults ({@link TestSpecs#withNormStats}), the momentum is 0.3 and epsilon 1e-3, so swapped
 * arguments (weight vs running_var, bias vs running_mean), a swapped momentum convention or a
 * biased running variance change the numbers. One subclass per backend.
 */
abstract class GraphLayerCases {
  /** The backend under test; one subclass per backend. */
  abstract Backend backend();

  static final double MOMENTUM = 0.3;
  static final double EPS = 1e-3;

  /** {@code n} values uniform in {@code offset ± scale}. */
  static float[] random(int n, long seed, double scale, double offset) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (offset + scale * (r.nextDouble() * 2 - 1));
    }
    return out;
  }

  /** A builder on {@code input} with MSE loss and plain SGD, as every case here trains. */
  static ModelSpec.Builder mse(int... input) {
    return ModelSpec.builder().setInput(input).setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1));
  }

  static final Layer.BatchNorm BN = new Layer.BatchNorm("bn", MOMENTUM, EPS);

  /** One batch norm on {@code sample}. */
  static CheckedSpec bnSpec(int... sample) {
    return mse(sample).add(BN).build();
  }

  /** Initial weights with the norm layers' tensors moved off their identity values. */
  static WeightSet offDefaults(CheckedSpec spec, long seed) {
    return TestSpecs.withNormStats(spec, Initializer.initialize(spec), seed);
  }

  /** {@code n} samples {@code x} with targets {@code t} (zeros when null), for MSE. */
  static Batch batch(CheckedSpec spec, float[] x, float[] t, int n) {
    return new Batch(spec.input(), x, null, t == null ? new float[x.length] : t, n);
  }

  /**
   * The training output normalises with the batch's statistics: against the reference, and not
   * the evaluation output (the running statistics). Neither it nor loading moves a buffer.
   */
  private void batchNormTrainingUsesBatchStatistics(int n, int... sample) {
    CheckedSpec spec = bnSpec(sample);
    WeightSet w = offDefaults(spec, 10);
    float[] x = random(n * (int) spec.input().size(), 11, 2, 0.7);
    try (TrainableModel m = backend().create(spec, w)) {
      assertEquals(w, m.weights(), "running statistics load and read back exactly");
      float[] want = BatchNormReference.training(BN, w, x, n);
      assertArrayEquals(want, m.trainingOutput(batch(spec, x, null, n), 1), 1e-5f);
      assertNotEquals(want[0], m.predict(x, n)[0], 1e-2f, "evaluation uses the running statistics");
      assertEquals(w, m.weights(), "the training forward changes nothing");
    }
  }

  @Test
  void batchNormTrainingUsesBatchStatisticsRank3() {
    batchNormTrainingUsesBatchStatistics(4, 3, 2, 5);
  }

  @Test
  void batchNormTrainingUsesBatchStatisticsRank1() {
    batchNormTrainingUsesBatchStatistics(6, 4);
  }

  /**
   * One train step moves the running statistics by PyTorch's rule (momentum 0.3, so a Keras
   * swap fails; few values per channel, so a biased variance fails), and the affine pair takes
   * an SGD step on its gradient, which gradients() gives for the trainable pair only. The
   * targets are not the normalised output, so no gradient is 0.
   */
  private void trainStepUpdatesRunningStatistics(int n, int... sample) {
    CheckedSpec spec = bnSpec(sample);
    WeightSet w0 = offDefaults(spec, 12);
    float[] x = random(n * (int) spec.input().size(), 8, 2, -0.4);
    Batch b = batch(spec, x, random(x.length, 9, 1, 0.5), n);
    BatchNormReference.Running want = BatchNormReference.afterStep(BN, w0, x, n);
    try (TrainableModel m = backend().create(spec, w0)) {
      WeightSet g = m.gradients(b, 1);
      assertEquals(List.of("bn.weight", "bn.bias"), new ArrayList<>(g.names()), "trainable parameters only");
      m.trainStep(b, 1);
      WeightSet w1 = m.weights();
      assertArrayEquals(want.mean(), w1.get("bn.running_mean").data(), 1e-6f, "running_mean");
      assertArrayEquals(want.variance(), w1.get("bn.running_var").data(), 1e-5f, "running_var");
      for (String p : List.of("bn.weight", "bn.bias")) {
        float[] before = w0.get(p).data();
        float[] grad = g.get(p).data();
        for (int c = 0; c < before.length; c++) {
          assertNotEquals(0f, grad[c], p);
          assertEquals(before[c] - 0.1f * grad[c], w1.get(p).data()[c], 1e-6f, p + "[" + c + "]");
        }
      }
    }
  }

  @Test
  void trainStepUpdatesRunningStatisticsWithPytorchMomentumRank1() {
    trainStepUpdatesRunningStatistics(4, 3);
  }

  @Test
  void trainStepUpdatesRunningStatisticsWithPytorchMomentumRank3() {
    trainStepUpdatesRunningStatistics(5, 3, 2, 2);
  }

  /** Evaluation normalises with the running statistics and leaves them as they were. */
  @Test
  void predictUsesRunningStatistics() {
    int n = 3;
    CheckedSpec spec = bnSpec(2, 3, 2);
    WeightSet w = offDefaults(spec, 13);
    float[] x = random(n * 12, 14, 2, 0.7);
    try (TrainableModel m = backend().create(spec, w)) {
      assertArrayEquals(new JavaReferenceModel(spec, w).predict(x, n), m.predict(x, n), 1e-5f);
      assertEquals(w, m.weights(), "evaluation does not touch the running statistics");
    }
  }

  /**
   * A gradient probe runs the training forward but writes nothing, statistics included: probes
   * repeat themselves, and a step after probes is the step a fresh model takes. With MSE
   * against zero targets, d loss / d bias is 2 * the mean of the channel's outputs.
   */
  @Test
  void gradientsReturnTrainableParametersAndLeaveRunningStatisticsAlone() {
    int n = 4;
    CheckedSpec spec = bnSpec(3, 2, 2);
    WeightSet w = offDefaults(spec, 15);
    Batch b = batch(spec, random(n * 12, 16, 2, 0.7), null, n);
    try (TrainableModel m = backend().create(spec, w)) {
      WeightSet g1 = m.gradients(b, 1);
      assertEquals(List.of("bn.weight", "bn.bias"), new ArrayList<>(g1.names()));
      for (int step = 1; step <= 3; step++) {
        assertEquals(g1, m.gradients(b, step), "same state, same gradients (step " + step + ")");
      }
      assertEquals(w, m.weights(), "a gradient probe changes nothing");
      float[] y = m.trainingOutput(b, 1);
      for (int ch = 0; ch < 3; ch++) {
        double s = 0;
        for (int i = 0; i < n; i++) {
          for (int k = 0; k < 4; k++) {
            s += y[(i * 3 + ch) * 4 + k];
          }
        }
        assertEquals(2 * s / y.length, g1.get("bn.bias").data()[ch], 1e-5);
      }
    }
    try (TrainableModel probed = backend().create(spec, w);
        TrainableModel fresh = backend().create(spec, w)) {
      probed.gradients(b, 1);
      probed.gradients(b, 1);
      probed.trainStep(b, 1);
      fresh.trainStep(b, 1);
      assertEquals(fresh.weights(), probed.weights());
      assertNotEquals(w.get("bn.running_var"), fresh.weights().get("bn.running_var"));
    }
  }

  /**
   * The gradient flows through the batch statistics: dense -> batch_norm -> MSE, the dense
   * weight's gradient against central differences of the same function in doubles (the dense
   * output from the reference; fc.weight[j][k] moves unit j by x[k] times its change). The
   * dense bias gradient is 0, since batch norm subtracts the per-channel mean it shifts.
   */
  @Test
  void gradientFlowsThroughTheBatchStatistics() {
    CheckedSpec head = mse(4).dense("fc", 3).build();
    CheckedSpec spec = mse(4).dense("fc", 3).add(BN).build();
    WeightSet w = offDefaults(spec, 17);
    int n = 5;
    float[] x = random(n * 4, 40, 1, 0);
    float[] t = random(n * 3, 41, 1, 0);
    float[] h = new JavaReferenceModel(head, w).predict(x, n);
    double[] gamma = new double[3];
    double[] beta = new double[3];
    for (int j = 0; j < 3; j++) {
      gamma[j] = w.get("bn.weight").data()[j];
      beta[j] = w.get("bn.bias").data()[j];
    }
    try (TrainableModel m = backend().create(spec, w)) {
      WeightSet g = m.gradients(batch(spec, x, t, n), 1);
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          double up = loss(h, x, t, n, j, k, 1e-5, gamma, beta);
          double down = loss(h, x, t, n, j, k, -1e-5, gamma, beta);
          assertEquals((up - down) / 2e-5, g.get("fc.weight").data()[j * 4 + k], 1e-4, "fc.weight[" + j + "][" + k + "]");
        }
      }
      for (float b : g.get("fc.bias").data()) {
        assertEquals(0, b, 1e-5);
      }
    }
  }

  /** MSE of batch norm (training form) on the dense output {@code h} with fc.weight[j][k] moved by {@code d}. */
  private static double loss(float[] h, float[] x, float[] t, int n, int j, int k, double d, double[] gamma, double[] beta) {
    double[] moved = new double[h.length];
    for (int i = 0; i < n; i++) {
      for (int u = 0; u < 3; u++) {
        moved[i * 3 + u] = h[i * 3 + u] + (u == j ? d * x[i * 4 + k] : 0);
      }
    }
    double[] y = BatchNormReference.training(moved, n, gamma, beta, EPS);
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum += (y[i] - t[i]) * (y[i] - t[i]);
    }
    return sum / y.length;
  }

  /** Layer norm over the last {@code axes} sample axes: the same in evaluation and training. */
  private void layerNormMatchesTheReference(int axes, int... sample) {
    CheckedSpec spec = mse(sample).add(new Layer.LayerNorm("ln", axes, EPS)).build();
    WeightSet w = offDefaults(spec, 20);
    int n = 3;
    float[] x = random(n * (int) spec.input().size(), 22, 3, 0.5);
    float[] want = new JavaReferenceModel(spec, w).predict(x, n);
    try (TrainableModel m = backend().create(spec, w)) {
      assertArrayEquals(want, m.predict(x, n), 1e-5f, "axes " + axes);
      assertArrayEquals(want, m.trainingOutput(batch(spec, x, null, n), 1), 1e-5f, "axes " + axes + " in training");
    }
  }

  @Test
  void layerNormOverTheLastAxis() {
    layerNormMatchesTheReference(1, 3, 5);
  }

  @Test
  void layerNormOverThreeAxes() {
    layerNormMatchesTheReference(3, 2, 3, 4);
  }

  /**
   * On a [2, 3] sample: a dense branch and a sigmoid both read the input; s = input + a + b (a
   * three-way add); out = [s, a, input] along the last axis.
   */
  @Test
  void addSumsItsInputsAndConcatJoinsThemOnTheLastAxis() {
    CheckedSpec spec = mse(2, 3)
        .add(new Layer.Dense("a", 3), ModelSpec.INPUT)
        .add(new Layer.Sigmoid("b"), ModelSpec.INPUT)
        .addOf("s", ModelSpec.INPUT, "a", "b")
        .concat("out", -1, "s", "a", ModelSpec.INPUT)
        .build();
    WeightSet w = Initializer.initialize(spec);
    int n = 2;
    float[] x = random(n * 6, 31, 2, 0);
    try (TrainableModel m = backend().create(spec, w)) {
      assertArrayEquals(new JavaReferenceModel(spec, w).predict(x, n), m.predict(x, n), 1e-5f);
    }
  }

  /**
   * A [2, 3, 4] image joined with its relu along each sample axis: 0 (channels), 1 (height) and
   * -1 (width). Joining along the batched tensor's axis instead of the sample's gives the same
   * size in another order.
   */
  @Test
  void concatJoinsAlongEverySampleAxis() {
    int n = 2;
    float[] x = random(n * 24, 32, 2, 0);
    for (int axis : new int[] {0, 1, -1}) {
      CheckedSpec spec = mse(2, 3, 4).relu("r").concat("cat", axis, ModelSpec.INPUT, "r").build();
      WeightSet w = Initializer.initialize(spec);
      try (TrainableModel m = backend().create(spec, w)) {
        assertArrayEquals(new JavaReferenceModel(spec, w).predict(x, n), m.predict(x, n), 0f, "axis " + axis);
      }
    }
  }

  /**
   * Joins and sums where one input comes out of a convolution (held channels-last inside the
   * TensorFlow graph) and the other is the model input (in the IR's order): each sample axis
   * must still be the IR's axis, and the sum must add like positions.
   */
  @Test
  void joinsOfConvolutionOutputsKeepTheIrsAxes() {
    int n = 2;
    float[] x = random(n * 24, 33, 2, 0);
    for (int axis : new int[] {0, 1, -1}) {
      CheckedSpec spec = mse(2, 3, 4).conv2d("c", 2, 1).relu("r")
          .addOf("s", "r", ModelSpec.INPUT).concat("cat", axis, "s", ModelSpec.INPUT).build();
      WeightSet w = Initializer.initialize(spec);
      try (TrainableModel m = backend().create(spec, w)) {
        assertArrayEquals(new JavaReferenceModel(spec, w).predict(x, n), m.predict(x, n), 1e-5f, "axis " + axis);
      }
    }
  }

  /**
   * The kit's residual block (conv -> batch_norm -> relu -> conv, plus the stem) learns the
   * bands in six epochs, the loss falling every epoch, and two runs agree bit for bit, running
   * statistics included.
   */
  @Test
  void residualGraphTrainsAndIsReproducible() {
    CheckedSpec spec = TestSpecs.residual().withTraining(new Training(6, 16, 17, true)).withOptimizer(new Optimizer.Adam(0.02));
    assertTrue(spec.spec().isGraph());
    assertTrue(backend().unsupported(spec).isEmpty(), backend().unsupported(spec).toString());
    Dataset data = SyntheticData.bands(spec.input(), 96, 3);
    WeightSet[] out = new WeightSet[2];
    for (int run = 0; run < 2; run++) {
      List<Double> epochLoss = new ArrayList<>();
      try (TrainableModel m = backend().create(spec, Initializer.initialize(spec))) {
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
      assertTrue(epochLoss.get(5) < epochLoss.get(0) * 0.5, "loss by epoch " + epochLoss);
      for (int e = 1; e < epochLoss.size(); e++) {
        assertTrue(epochLoss.get(e) < epochLoss.get(e - 1), "loss by epoch " + epochLoss);
      }
    }
    assertEquals(out[0], out[1], "same seed, same weights and running statistics, bit for bit");
    WeightSet init = Initializer.initialize(spec);
    assertFalse(Arrays.equals(init.get("bn1.running_mean").data(), out[0].get("bn1.running_mean").data()));
    assertFalse(Arrays.equals(init.get("bn1.running_var").data(), out[0].get("bn1.running_var").data()));
  }
}
