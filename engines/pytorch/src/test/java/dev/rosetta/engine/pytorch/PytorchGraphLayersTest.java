package dev.rosetta.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingListener;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * batch_norm, layer_norm, add, concat and graph wiring on PyTorch, each against the IR's
 * formula computed in plain Java (doubles). Every norm test uses weights, biases and running
 * statistics away from their defaults, so swapped arguments (weight vs running_var, bias vs
 * running_mean) or a swapped momentum convention change the numbers.
 */
class PytorchGraphLayersTest {
  private static final double MOMENTUM = 0.3;
  private static final double EPS = 1e-3;

  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextGaussian() * 1.5 + 0.7);
    }
    return x;
  }

  static CheckedSpec bnSpec(int... input) {
    return ModelSpec.builder().setInput(input)
        .add(new Layer.BatchNorm("bn", MOMENTUM, EPS))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }

  /** Non-default weight, bias and running statistics for a batch norm over {@code c} channels. */
  static WeightSet bnWeights(int c) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    float[] w = new float[c];
    float[] b = new float[c];
    float[] rm = new float[c];
    float[] rv = new float[c];
    for (int i = 0; i < c; i++) {
      w[i] = 0.5f + 0.25f * i;
      b[i] = -0.3f + 0.2f * i;
      rm[i] = 0.1f * (i + 1);
      rv[i] = 1.5f + 0.5f * i;
    }
    m.put("bn.weight", new Tensor(Shape.of(c), w));
    m.put("bn.bias", new Tensor(Shape.of(c), b));
    m.put("bn.running_mean", new Tensor(Shape.of(c), rm));
    m.put("bn.running_var", new Tensor(Shape.of(c), rv));
    return new WeightSet(m);
  }

  /** Per-channel batch mean and biased variance of {@code [n, c, inner]} data. */
  static double[][] channelStats(float[] x, int n, int c, int inner) {
    double[] mean = new double[c];
    double[] var = new double[c];
    for (int ch = 0; ch < c; ch++) {
      double s = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < inner; k++) {
          s += x[(i * c + ch) * inner + k];
        }
      }
      mean[ch] = s / (n * inner);
      double v = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < inner; k++) {
          double d = x[(i * c + ch) * inner + k] - mean[ch];
          v += d * d;
        }
      }
      var[ch] = v / (n * inner);
    }
    return new double[][] {mean, var};
  }

  /** {@code (x - mean) / sqrt(var + eps) * w + b} per channel of {@code [n, c, inner]} data. */
  static float[] normalise(float[] x, int n, int c, int inner, double[] mean, double[] var, WeightSet w) {
    float[] g = w.get("bn.weight").data();
    float[] b = w.get("bn.bias").data();
    float[] y = new float[x.length];
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int k = 0; k < inner; k++) {
          int at = (i * c + ch) * inner + k;
          y[at] = (float) ((x[at] - mean[ch]) / Math.sqrt(var[ch] + EPS) * g[ch] + b[ch]);
        }
      }
    }
    return y;
  }

  /** A training-mode forward of the whole lowered model, as trainStep runs it. */
  static float[] forwardTraining(TrainableModel m, float[] x, int n) {
    Model djl = ((PytorchModel) m).djlModel();
    try (NDManager scope = djl.getNDManager().newSubManager()) {
      NDArray in = scope.create(x, PytorchLowering.djlShape(m.spec().input().withBatch(n)));
      return djl.getBlock().forward(new ParameterStore(scope, false), new NDList(in), true)
          .singletonOrThrow().toFloatArray();
    }
  }

  static Batch mseBatch(CheckedSpec spec, float[] x, int n) {
    return new Batch(spec.input(), x, null, new float[x.length], n);
  }

  private void batchNormTrainingMatchesTheFormula(int n, int c, int... input) {
    CheckedSpec spec = bnSpec(input);
    int inner = (int) (spec.input().size() / c);
    WeightSet w = bnWeights(c);
    float[] x = random(n * c * inner, 11);
    double[][] st = channelStats(x, n, c, inner);
    try (TrainableModel m = new PytorchBackend().create(spec, w)) {
      assertEquals(w, m.weights(), "running statistics load and read back exactly");
      float[] want = normalise(x, n, c, inner, st[0], st[1], w);
      assertArrayEquals(want, forwardTraining(m, x, n), 1e-5f);
    }
  }

  @Test
  void batchNormTrainingUsesBatchStatisticsRank3() {
    batchNormTrainingMatchesTheFormula(4, 3, 3, 2, 5);
  }

  @Test
  void batchNormTrainingUsesBatchStatisticsRank1() {
    batchNormTrainingMatchesTheFormula(6, 4, 4);
  }

  @Test
  void trainStepUpdatesRunningStatisticsWithPytorchMomentum() {
    int n = 5;
    int c = 3;
    int inner = 4;
    CheckedSpec spec = bnSpec(c, 2, 2);
    WeightSet w = bnWeights(c);
    float[] x = random(n * c * inner, 12);
    double[][] st = channelStats(x, n, c, inner);
    int count = n * inner;
    float[] wantMean = new float[c];
    float[] wantVar = new float[c];
    for (int ch = 0; ch < c; ch++) {
      double rm = w.get("bn.running_mean").data()[ch];
      double rv = w.get("bn.running_var").data()[ch];
      // PyTorch: momentum weighs the new statistic; running_var takes the unbiased variance.
      wantMean[ch] = (float) ((1 - MOMENTUM) * rm + MOMENTUM * st[0][ch]);
      wantVar[ch] = (float) ((1 - MOMENTUM) * rv + MOMENTUM * st[1][ch] * count / (count - 1));
    }
    try (TrainableModel m = new PytorchBackend().create(spec, w)) {
      m.trainStep(mseBatch(spec, x, n), 1);
      WeightSet after = m.weights();
      assertArrayEquals(wantMean, after.get("bn.running_mean").data(), 1e-6f);
      assertArrayEquals(wantVar, after.get("bn.running_var").data(), 1e-5f);
      // The affine pair did train.
      assertNotEquals(w.get("bn.bias"), after.get("bn.bias"));
    }
  }

  @Test
  void predictUsesRunningStatistics() {
    int n = 3;
    int c = 2;
    int inner = 6;
    CheckedSpec spec = bnSpec(c, 3, 2);
    WeightSet w = bnWeights(c);
    float[] x = random(n * c * inner, 13);
    double[] rm = new double[c];
    double[] rv = new double[c];
    for (int ch = 0; ch < c; ch++) {
      rm[ch] = w.get("bn.running_mean").data()[ch];
      rv[ch] = w.get("bn.running_var").data()[ch];
    }
    try (TrainableModel m = new PytorchBackend().create(spec, w)) {
      assertArrayEquals(normalise(x, n, c, inner, rm, rv, w), m.predict(x, n), 1e-5f);
      assertEquals(w, m.weights(), "evaluation does not touch the running statistics");
    }
  }

  @Test
  void gradientsReturnTrainableParametersAndLeaveRunningStatisticsAlone() {
    int n = 4;
    CheckedSpec spec = bnSpec(3, 2, 2);
    WeightSet w = bnWeights(3);
    Batch b = mseBatch(spec, random(n * 12, 14), n);
    try (TrainableModel m = new PytorchBackend().create(spec, w)) {
      WeightSet g1 = m.gradients(b, 1);
      assertEquals(List.of("bn.weight", "bn.bias"), new ArrayList<>(g1.names()));
      assertEquals(w, m.weights(), "a gradient probe changes nothing");
      // Same state, same gradients: the probe did not move the statistics it normalises with.
      assertEquals(g1, m.gradients(b, 1));
      // MSE against zero targets: d/d bias = 2 * mean over the channel's elements of y.
      float[] y = forwardTraining(m, b.features(), n);
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
    // The restored statistics are the tensors libtorch updates: after probes, a step gives
    // exactly what a step on a fresh model gives.
    try (TrainableModel probed = new PytorchBackend().create(spec, w);
        TrainableModel fresh = new PytorchBackend().create(spec, w)) {
      probed.gradients(b, 1);
      probed.gradients(b, 1);
      probed.trainStep(b, 1);
      fresh.trainStep(b, 1);
      assertEquals(fresh.weights(), probed.weights());
      assertNotEquals(w.get("bn.running_var"), fresh.weights().get("bn.running_var"));
    }
  }

  private void layerNormMatchesTheFormula(int axes, int... input) {
    CheckedSpec spec = ModelSpec.builder().setInput(input)
        .add(new Layer.LayerNorm("ln", axes, EPS))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    int total = (int) spec.input().size();
    int group = 1;
    for (int a = input.length - axes; a < input.length; a++) {
      group *= input[a];
    }
    float[] g = random(group, 21);
    float[] b = random(group, 22);
    Shape norm = Shape.of(java.util.Arrays.copyOfRange(input, input.length - axes, input.length));
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("ln.weight", new Tensor(norm, g));
    t.put("ln.bias", new Tensor(norm, b));
    int n = 3;
    float[] x = random(n * total, 23);
    float[] want = new float[x.length];
    for (int start = 0; start < x.length; start += group) {
      double mean = 0;
      for (int k = 0; k < group; k++) {
        mean += x[start + k];
      }
      mean /= group;
      double var = 0;
      for (int k = 0; k < group; k++) {
        var += (x[start + k] - mean) * (x[start + k] - mean);
      }
      var /= group;
      for (int k = 0; k < group; k++) {
        want[start + k] = (float) ((x[start + k] - mean) / Math.sqrt(var + EPS) * g[k] + b[k]);
      }
    }
    try (TrainableModel m = new PytorchBackend().create(spec, new WeightSet(t))) {
      assertArrayEquals(want, m.predict(x, n), 1e-5f);
      assertArrayEquals(want, forwardTraining(m, x, n), 1e-5f, "same in training");
    }
  }

  @Test
  void layerNormOverTheLastAxis() {
    layerNormMatchesTheFormula(1, 3, 5);
  }

  @Test
  void layerNormOverThreeAxes() {
    layerNormMatchesTheFormula(3, 2, 3, 4);
  }

  @Test
  void addSumsItsInputsAndConcatJoinsThemOnTheSampleAxis() {
    // input [3] -> a, b (dense, both read the input); s = input + a + b; out = [s, a, input].
    CheckedSpec spec = ModelSpec.builder().setInput(3)
        .add(new Layer.Dense("a", 3), ModelSpec.INPUT)
        .add(new Layer.Dense("b", 3), ModelSpec.INPUT)
        .addOf("s", ModelSpec.INPUT, "a", "b")
        .concat("out", -1, "s", "a", ModelSpec.INPUT)
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(spec);
    int n = 2;
    float[] x = random(n * 3, 31);
    float[] want = new float[n * 9];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        double a = dense(w, "a", x, i, j);
        double b = dense(w, "b", x, i, j);
        want[i * 9 + j] = (float) (x[i * 3 + j] + a + b);
        want[i * 9 + 3 + j] = (float) a;
        want[i * 9 + 6 + j] = x[i * 3 + j];
      }
    }
    try (TrainableModel m = new PytorchBackend().create(spec, w)) {
      assertArrayEquals(want, m.predict(x, n), 1e-5f);
    }
  }

  private static double dense(WeightSet w, String layer, float[] x, int sample, int unit) {
    double s = w.get(layer + ".bias").data()[unit];
    for (int k = 0; k < 3; k++) {
      s += w.get(layer + ".weight").data()[unit * 3 + k] * x[sample * 3 + k];
    }
    return s;
  }

  @Test
  void concatAlongASpatialAxisOfAnImage() {
    // [2, 3, 4] joined with its relu along sample axis 1 (height): [2, 6, 4]. Joining along the
    // batched tensor's axis 1 (channels) instead has the same size but another order.
    CheckedSpec spec = ModelSpec.builder().setInput(2, 3, 4)
        .relu("r")
        .concat("cat", 1, ModelSpec.INPUT, "r")
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    int n = 2;
    float[] x = random(n * 24, 32);
    float[] want = new float[n * 48];
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < 2; ch++) {
        for (int h = 0; h < 6; h++) {
          for (int wd = 0; wd < 4; wd++) {
            float v = x[((i * 2 + ch) * 3 + h % 3) * 4 + wd];
            want[((i * 2 + ch) * 6 + h) * 4 + wd] = h < 3 ? v : Math.max(0f, v);
          }
        }
      }
    }
    try (TrainableModel m = new PytorchBackend().create(spec, Initializer.initialize(spec))) {
      assertArrayEquals(want, m.predict(x, n), 0f);
    }
  }

  /** stem -> [conv -> bn -> relu -> conv] + stem -> relu -> global average -> dense. */
  static CheckedSpec residual() {
    return ModelSpec.builder().setInput(2, 6, 6)
        .add(conv("stem", 4))
        .add(conv("c1", 4))
        .batchNorm("bn1")
        .relu("r1")
        .add(conv("c2", 4))
        .addOf("res", "c2", "stem")
        .relu("r2")
        .globalAvgPool2d("gap")
        .dense("fc", 3)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(new Optimizer.Sgd(0.05, 0.9, 1e-4, false))
        .optTraining(6, 16, 9, true)
        .build();
  }

  static Layer.Conv2d conv(String name, int filters) {
    return new Layer.Conv2d(name, filters, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(),
        Layer.Hw.of(1), 1, true, Init.KAIMING_UNIFORM, Init.ZEROS);
  }

  /** Three classes of 2x6x6 images: class k brightens a different region of channel 0 or 1. */
  static Dataset images(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 72];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
      for (int k = 0; k < 72; k++) {
        int ch = k / 36;
        int row = k % 36 / 6;
        boolean lit = y[i] == 0 ? ch == 0 && row < 3 : y[i] == 1 ? ch == 0 && row >= 3 : ch == 1;
        x[i * 72 + k] = (float) (r.nextGaussian() * 0.5 + (lit ? 1.0 : 0.0));
      }
    }
    return Dataset.classification(Shape.of(2, 6, 6), x, y, "images");
  }

  @Test
  void residualGraphTrainsAndIsReproducible() {
    CheckedSpec spec = residual();
    assertTrue(new PytorchBackend().unsupported(spec).isEmpty());
    Dataset data = images(96, 5);
    WeightSet[] out = new WeightSet[2];
    for (int run = 0; run < 2; run++) {
      List<Double> epochLoss = new ArrayList<>();
      try (TrainableModel m = new PytorchBackend().create(spec, Initializer.initialize(spec))) {
        new TrainingLoop(spec, data, null)
            .addListener(
                new TrainingListener() {
                  @Override
                  public void onEpoch(EpochEvent e) {
                    epochLoss.add(e.trainLoss());
                  }
                })
            .run(m);
        out[run] = m.weights();
      }
      double first = epochLoss.get(0);
      double last = epochLoss.get(epochLoss.size() - 1);
      assertTrue(last < first * 0.6, "loss went from " + first + " to " + last);
    }
    // Bit-identical, running statistics included.
    assertEquals(out[0], out[1]);
    assertNotEquals(
        Initializer.initialize(spec).get("bn1.running_mean"), out[0].get("bn1.running_mean"));
  }
}
