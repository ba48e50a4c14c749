package dev.rosetta.tests.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.rosetta.spec.Training;
import dev.rosetta.testkit.SyntheticData;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.train.DropoutMasks;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What every backend's {@link TrainableModel} promises, each checked against arithmetic done
 * here in Java rather than against the other backend (the parity suite does that): it learns,
 * loads weights exactly, computes the forward pass, the cross-entropy gradient and the SGD rule of
 * docs/spec.md, applies seeded dropout masks, and repeats itself bit for bit. One subclass per
 * backend.
 */
abstract class BackendContractCases {

  abstract Backend backend();

  private static CheckedSpec mlp(Optimizer opt) {
    return ModelSpec.builder()
        .setInput(4)
        .dense("fc1", 16)
        .relu("relu1")
        .dropout("drop1", 0.2)
        .dense("fc2", 3)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(opt)
        .optTraining(5, 16, 7, true)
        .build();
  }

  private static Dataset blobs(int n, long seed) {
    return SyntheticData.blobs(Shape.of(4), 3, n, seed);
  }

  @Test
  void trainingLowersTheLossAndLearnsTheBlobs() {
    CheckedSpec spec = mlp(new Optimizer.Sgd(0.1, 0.9, 1e-4, true));
    Dataset data = blobs(600, 1);
    try (TrainableModel m = backend().create(spec, Initializer.initialize(spec))) {
      float first = m.trainStep(data.slice(0, 16), 1);
      TrainingResult r = new TrainingLoop(spec, data, blobs(300, 2)).run(m, 1);
      assertTrue(r.trainLoss() < first / 4, "loss went from " + first + " to " + r.trainLoss());
      assertTrue(r.test().accuracy() > 0.95, "accuracy " + r.test().accuracy());
    }
  }

  @Test
  void loadsTheGivenWeightsExactly() {
    CheckedSpec spec = mlp(new Optimizer.Adam(0.01));
    WeightSet init = Initializer.initialize(spec);
    try (TrainableModel m = backend().create(spec, init)) {
      assertEquals(init, m.weights());
    }
  }

  @Test
  void forwardMatchesAHandComputedMlp() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(4).dense("fc1", 5).tanh("t").dense("fc2", 3)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(spec);
    float[] x = {0.5f, -1f, 2f, 0.25f};
    float[] h = new float[5];
    for (int j = 0; j < 5; j++) {
      double s = w.get("fc1.bias").data()[j];
      for (int k = 0; k < 4; k++) {
        s += w.get("fc1.weight").data()[j * 4 + k] * x[k];
      }
      h[j] = (float) Math.tanh(s);
    }
    float[] want = new float[3];
    for (int j = 0; j < 3; j++) {
      double s = w.get("fc2.bias").data()[j];
      for (int k = 0; k < 5; k++) {
        s += w.get("fc2.weight").data()[j * 5 + k] * h[k];
      }
      want[j] = (float) s;
    }
    try (TrainableModel m = backend().create(spec, w)) {
      assertArrayEquals(want, m.predict(x, 1), 1e-5f);
    }
  }

  @Test
  void gradientOfCrossEntropyMatchesTheClosedForm() {
    // d loss / d W = mean_i (softmax(W x_i + b) - onehot(y_i)) x_i^T for a single dense layer.
    CheckedSpec spec =
        ModelSpec.builder().setInput(4).dense("fc", 3)
            .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(spec);
    Batch b = blobs(8, 5).slice(0, 8);
    float[] wt = w.get("fc.weight").data();
    float[] bias = w.get("fc.bias").data();
    double[] gw = new double[12];
    double[] gb = new double[3];
    for (int i = 0; i < 8; i++) {
      double[] z = new double[3];
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < 3; j++) {
        z[j] = bias[j];
        for (int k = 0; k < 4; k++) {
          z[j] += wt[j * 4 + k] * b.features()[i * 4 + k];
        }
        max = Math.max(max, z[j]);
      }
      double sum = 0;
      for (int j = 0; j < 3; j++) {
        sum += Math.exp(z[j] - max);
      }
      for (int j = 0; j < 3; j++) {
        double d = (Math.exp(z[j] - max) / sum - (b.labels()[i] == j ? 1 : 0)) / 8;
        gb[j] += d;
        for (int k = 0; k < 4; k++) {
          gw[j * 4 + k] += d * b.features()[i * 4 + k];
        }
      }
    }
    try (TrainableModel m = backend().create(spec, w)) {
      WeightSet g = m.gradients(b, 1);
      for (int i = 0; i < 12; i++) {
        assertEquals(gw[i], g.get("fc.weight").data()[i], 1e-6, "fc.weight[" + i + "]");
      }
      for (int j = 0; j < 3; j++) {
        assertEquals(gb[j], g.get("fc.bias").data()[j], 1e-6, "fc.bias[" + j + "]");
      }
    }
  }

  @Test
  void sgdStepFollowsTheDocumentedRule() {
    // One SGD step with weight decay: w1 = w0 - lr * (grad + wd * w0), grad from gradients().
    CheckedSpec spec =
        ModelSpec.builder().setInput(4).dense("fc", 3)
            .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.5, 0, 0.1, false)).build();
    WeightSet w0 = Initializer.initialize(spec);
    Batch b = blobs(8, 3).slice(0, 8);
    try (TrainableModel m = backend().create(spec, w0)) {
      WeightSet g = m.gradients(b, 1);
      assertEquals(w0, m.weights(), "gradients() must not update");
      m.trainStep(b, 1);
      WeightSet w1 = m.weights();
      for (String name : w0.names()) {
        float[] a = w0.get(name).data();
        float[] gr = g.get(name).data();
        float[] want = new float[a.length];
        for (int i = 0; i < a.length; i++) {
          want[i] = a[i] - 0.5f * (gr[i] + 0.1f * a[i]);
        }
        assertArrayEquals(want, w1.get(name).data(), 1e-6f, name);
      }
    }
  }

  @Test
  void sameSeedTwiceGivesBitIdenticalWeights() {
    CheckedSpec spec = mlp(new Optimizer.Adam(0.01));
    Dataset data = blobs(200, 4);
    WeightSet[] out = new WeightSet[2];
    for (int i = 0; i < 2; i++) {
      try (TrainableModel m = backend().create(spec, Initializer.initialize(spec))) {
        new TrainingLoop(spec, data, null).run(m);
        out[i] = m.weights();
      }
    }
    assertEquals(out[0], out[1]);
    assertNotEquals(Initializer.initialize(spec), out[0], "training must move the weights");
  }

  @Test
  void dropoutIsOffInPredictAndFollowsTheSeededMask() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(6).dropout("drop", 0.5).add(new Layer.Dense("fc", 2, false, Init.UNIFORM_FAN_IN, Init.ZEROS))
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(spec);
    float[] x = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
    float[] y = {0.5f, -0.5f, 1f, 0f};
    Batch b = new Batch(Shape.of(6), x, null, y, 2);
    // MSE through a bias-free dense layer: dL/dW[j][k] = 2/(n*2) * sum_i (out_ij - y_ij) * xm_ik
    float[] mask = DropoutMasks.mask(spec.training().seed(), 3, "drop", 12, 0.5);
    float[] wt = w.get("fc.weight").data();
    double[] want = new double[12];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        double o = 0;
        for (int k = 0; k < 6; k++) {
          o += wt[j * 6 + k] * x[i * 6 + k] * mask[i * 6 + k];
        }
        for (int k = 0; k < 6; k++) {
          want[j * 6 + k] += 2.0 / 4 * (o - y[i * 2 + j]) * x[i * 6 + k] * mask[i * 6 + k];
        }
      }
    }
    try (TrainableModel m = backend().create(spec, w)) {
      float[] got = m.gradients(b, 3).get("fc.weight").data();
      for (int i = 0; i < 12; i++) {
        assertEquals(want[i], got[i], 1e-5, "element " + i);
      }
      float[] p = m.predict(x, 2);
      for (int j = 0; j < 2; j++) {
        double o = 0;
        for (int k = 0; k < 6; k++) {
          o += wt[j * 6 + k] * x[k];
        }
        assertEquals(o, p[j], 1e-5);
      }
    }
  }

  @Test
  void aModelWithoutParametersPredictsAndStepsAsANoOp() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(3).softmax("soft")
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    try (TrainableModel m = backend().create(spec, Initializer.initialize(spec))) {
      float[] p = m.predict(new float[] {0, 0, (float) Math.log(2)}, 1);
      assertArrayEquals(new float[] {0.25f, 0.25f, 0.5f}, p, 1e-6f);
      Batch b = new Batch(Shape.of(3), new float[] {0, 0, (float) Math.log(2)}, null, new float[] {0, 0, 1}, 1);
      // mean((0.25, 0.25, -0.5)^2) = 0.125
      assertEquals(0.125f, m.trainStep(b, 1), 1e-6f);
      assertTrue(m.weights().names().isEmpty());
    }
  }

  /**
   * The inference face keeps an input array between calls while the batch shape stays the same:
   * whatever the order of batch sizes, each call's rows come out as one call over every sample
   * gives them, a call never sees an earlier call's values, and a wrong input length is refused.
   */
  @Test
  void inferenceCallsOfChangingBatchSizesEachPredictTheirOwnRows() {
    CheckedSpec spec = mlp(new Optimizer.Sgd(0.1));
    Dataset data = blobs(7, 4);
    try (InferenceModel m = backend().inference(spec, Initializer.initialize(spec))) {
      float[] all = m.predict(data.features(), 7);
      int out = all.length / 7;
      for (int[] rows : new int[][] {{2, 3}, {3, 4}, {0, 7}, {6, 7}, {1, 5}, {1, 2}}) {
        float[] x = Arrays.copyOfRange(data.features(), rows[0] * 4, rows[1] * 4);
        assertArrayEquals(Arrays.copyOfRange(all, rows[0] * out, rows[1] * out),
            m.predict(x, rows[1] - rows[0]), 1e-6f, "rows " + rows[0] + ".." + rows[1]);
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(new float[7], 2));
      assertTrue(e.getMessage().contains("need 8 values, got 7"), e.getMessage());
    }
  }

  /**
   * {@link InferenceModel#predict(ByteBuffer, int)}: the rows between a buffer's position and
   * limit predict as the same rows in an array do, the position stays where it was, a buffer
   * refilled in place predicts its new values (a backend that reads it in place must not keep
   * the old ones), a heap buffer works too, and the other byte order or a wrong size is refused.
   */
  @Test
  void bufferInputsPredictTheRowsBetweenPositionAndLimit() {
    CheckedSpec spec = mlp(new Optimizer.Sgd(0.1));
    float[] first = blobs(7, 4).features();
    float[] second = blobs(7, 5).features();
    try (InferenceModel m = backend().inference(spec, Initializer.initialize(spec))) {
      float[] all = m.predict(first, 7);
      int out = all.length / 7;
      for (boolean direct : new boolean[] {true, false}) {
        ByteBuffer buffer = (direct ? ByteBuffer.allocateDirect(4 * first.length) : ByteBuffer.allocate(4 * first.length))
            .order(ByteOrder.nativeOrder());
        buffer.asFloatBuffer().put(first);
        for (int[] rows : new int[][] {{0, 7}, {2, 3}, {1, 5}, {1, 5}, {6, 7}}) {
          buffer.limit(rows[1] * 16).position(rows[0] * 16);
          assertArrayEquals(Arrays.copyOfRange(all, rows[0] * out, rows[1] * out), m.predict(buffer, rows[1] - rows[0]), 1e-6f,
              (direct ? "direct" : "heap") + " rows " + rows[0] + ".." + rows[1]);
          assertEquals(rows[0] * 16, buffer.position(), "the position is left where it was");
        }
        buffer.clear();
        buffer.asFloatBuffer().put(second);
        assertArrayEquals(m.predict(second, 7), m.predict(buffer, 7), 1e-6f, "refilled in place");
        assertNotEquals(all[0], m.predict(buffer, 7)[0], "the refilled buffer's rows, not the first fill's");
      }
      ByteBuffer big = ByteBuffer.allocateDirect(4 * first.length).order(
          ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(big, 7));
      assertTrue(e.getMessage().contains("ByteOrder.nativeOrder()"), e.getMessage());
      ByteBuffer shortBuffer = ByteBuffer.allocateDirect(28).order(ByteOrder.nativeOrder());
      e = assertThrows(IllegalArgumentException.class, () -> m.predict(shortBuffer, 2));
      assertTrue(e.getMessage().contains("need 32 bytes"), e.getMessage());
    }
  }

  /** A one-layer classifier: its gradients are cheap and every update rule shows in it. */
  private static CheckedSpec linear(Optimizer opt, Loss loss, double clipValue, double clipNorm) {
    return ModelSpec.builder().setInput(4).dense("fc", 3).setLoss(loss).setOptimizer(opt).build()
        .withTraining(new Training(1, 8, 7, true, clipValue, clipNorm));
  }

  /**
   * Three steps of {@code opt} on a batch each, checked against the rule of docs/spec.md worked
   * in double from the backend's own gradients (gradients() before every step).
   */
  private void followsAdamRule(Optimizer opt, double lr, double b1, double b2, double eps, boolean keras, double decoupled) {
    CheckedSpec spec = linear(opt, new Loss.CrossEntropy(), 0, 0);
    WeightSet w0 = Initializer.initialize(spec);
    Dataset data = blobs(24, 5);
    try (TrainableModel m = backend().create(spec, w0)) {
      java.util.Map<String, double[]> w = new java.util.HashMap<>();
      java.util.Map<String, double[]> mm = new java.util.HashMap<>();
      java.util.Map<String, double[]> vv = new java.util.HashMap<>();
      for (String name : w0.names()) {
        float[] a = w0.get(name).data();
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
          d[i] = a[i];
        }
        w.put(name, d);
        mm.put(name, new double[a.length]);
        vv.put(name, new double[a.length]);
      }
      for (int t = 1; t <= 3; t++) {
        Batch b = data.slice(8 * (t - 1), 8 * t);
        WeightSet g = m.gradients(b, t);
        m.trainStep(b, t);
        double bc1 = 1 - Math.pow(b1, t);
        double bc2 = 1 - Math.pow(b2, t);
        for (String name : w0.names()) {
          double[] p = w.get(name);
          double[] m1 = mm.get(name);
          double[] v = vv.get(name);
          float[] gr = g.get(name).data();
          float[] got = m.weights().get(name).data();
          for (int i = 0; i < p.length; i++) {
            p[i] *= 1 - lr * decoupled;
            m1[i] = b1 * m1[i] + (1 - b1) * gr[i];
            v[i] = b2 * v[i] + (1 - b2) * gr[i] * gr[i];
            p[i] -= keras
                ? lr * Math.sqrt(bc2) / bc1 * m1[i] / (Math.sqrt(v[i]) + eps)
                : lr / bc1 * m1[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
            assertEquals(p[i], got[i], 2e-6, name + "[" + i + "] after step " + t);
          }
        }
      }
      dev.rosetta.backend.OptimizerState state = m.optimizerState();
      assertEquals(3, state.step());
      float[] m1 = state.tensors().get("fc.weight/m");
      for (int i = 0; i < m1.length; i++) {
        assertEquals(mm.get("fc.weight")[i], m1[i], 1e-7, "fc.weight/m[" + i + "]");
      }
      assertEquals(vv.get("fc.bias")[0], state.tensors().get("fc.bias/v")[0], 1e-9);
    }
  }

  @Test
  void adamwStepsFollowTheDocumentedRule() {
    // lr 0.05 and decay 0.5: the decoupled shrink (2.5 % a step) is far above the tolerance.
    followsAdamRule(new Optimizer.AdamW(0.05, 0.9, 0.999, 1e-8, 0.5), 0.05, 0.9, 0.999, 1e-8, false, 0.5);
  }

  @Test
  void kerasAdamStepsFollowTheDocumentedRule() {
    // epsilon 0.01 is of the order of sqrt(v) here, where the two forms of Adam differ most.
    followsAdamRule(new Optimizer.Adam(0.05, 0.8, 0.9, 0.01, 0, Optimizer.Adam.Variant.KERAS), 0.05, 0.8, 0.9, 0.01, true, 0);
  }

  @Test
  void pytorchAdamStepsFollowTheDocumentedRule() {
    followsAdamRule(new Optimizer.Adam(0.05, 0.8, 0.9, 0.01, 0), 0.05, 0.8, 0.9, 0.01, false, 0);
  }

  @Test
  void gradientClippingByValueThenNormFollowsTheDocumentedRule() {
    Batch b = blobs(8, 3).slice(0, 8);
    for (double[] clip : new double[][] {{0.05, 0}, {0, 0.1}, {0.05, 0.08}, {0, 1e6}}) {
      CheckedSpec spec = linear(new Optimizer.Sgd(0.5), new Loss.CrossEntropy(), clip[0], clip[1]);
      WeightSet w0 = Initializer.initialize(spec);
      try (TrainableModel m = backend().create(spec, w0)) {
        WeightSet g = m.gradients(b, 1);
        java.util.Map<String, double[]> clipped = new java.util.LinkedHashMap<>();
        double sum = 0;
        for (String name : w0.names()) {
          float[] gr = g.get(name).data();
          double[] c = new double[gr.length];
          for (int i = 0; i < gr.length; i++) {
            c[i] = clip[0] > 0 ? Math.max(-clip[0], Math.min(clip[0], gr[i])) : gr[i];
            sum += c[i] * c[i];
          }
          clipped.put(name, c);
        }
        double scale = clip[1] > 0 ? Math.min(1, clip[1] / (Math.sqrt(sum) + 1e-6)) : 1;
        m.trainStep(b, 1);
        for (String name : w0.names()) {
          float[] a = w0.get(name).data();
          float[] got = m.weights().get(name).data();
          for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] - 0.5 * clipped.get(name)[i] * scale, got[i], 1e-6,
                name + "[" + i + "] with clip " + java.util.Arrays.toString(clip));
          }
        }
      }
    }
  }

  @Test
  void labelSmoothingGradientMatchesTheClosedForm() {
    // d/dz of mean_i sum_k q_ik (lse(z_i) - z_ik) = (softmax(z_i) - q_i) / n, q = (1-s) onehot + s/K
    double s = 0.3;
    CheckedSpec spec = linear(new Optimizer.Sgd(0.1), new Loss.CrossEntropy(s), 0, 0);
    WeightSet w0 = Initializer.initialize(spec);
    Batch b = blobs(6, 9).slice(0, 6);
    try (TrainableModel m = backend().create(spec, w0)) {
      float[] z = m.predict(b.features(), 6);
      double[] gb = new double[3];
      double loss = 0;
      for (int i = 0; i < 6; i++) {
        double max = Math.max(z[3 * i], Math.max(z[3 * i + 1], z[3 * i + 2]));
        double se = 0;
        for (int k = 0; k < 3; k++) {
          se += Math.exp(z[3 * i + k] - max);
        }
        for (int k = 0; k < 3; k++) {
          double q = (k == b.labels()[i] ? 1 - s : 0) + s / 3;
          gb[k] += (Math.exp(z[3 * i + k] - max) / se - q) / 6;
          loss += q * (max + Math.log(se) - z[3 * i + k]) / 6;
        }
      }
      float[] got = m.gradients(b, 1).get("fc.bias").data();
      for (int k = 0; k < 3; k++) {
        assertEquals(gb[k], got[k], 1e-6, "fc.bias gradient " + k);
      }
      assertEquals(loss, m.trainStep(b, 1), 1e-5);
    }
  }

  @Test
  void aNewLearningRateAppliesFromTheNextStep() {
    CheckedSpec spec = linear(new Optimizer.Sgd(0.5), new Loss.CrossEntropy(), 0, 0);
    WeightSet w0 = Initializer.initialize(spec);
    Batch b = blobs(8, 3).slice(0, 8);
    try (TrainableModel m = backend().create(spec, w0)) {
      m.setLearningRate(0.125);
      WeightSet g = m.gradients(b, 1);
      m.trainStep(b, 1);
      float[] a = w0.get("fc.weight").data();
      float[] gr = g.get("fc.weight").data();
      float[] got = m.weights().get("fc.weight").data();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i] - 0.125 * gr[i], got[i], 1e-6, "fc.weight[" + i + "]");
      }
    }
  }

  @Test
  void optimizerStateRestoredInAFreshModelContinuesBitIdentically() {
    for (Optimizer opt : new Optimizer[] {new Optimizer.Sgd(0.1, 0.9, 1e-3, true), new Optimizer.Adam(0.01),
        new Optimizer.AdamW(0.01, 0.9, 0.999, 1e-8, 0.1)}) {
      CheckedSpec spec = mlp(opt);
      Dataset data = blobs(64, 4);
      WeightSet straight;
      WeightSet half;
      dev.rosetta.backend.OptimizerState state;
      try (TrainableModel m = backend().create(spec, Initializer.initialize(spec))) {
        for (int t = 1; t <= 2; t++) {
          m.trainStep(data.slice(16 * (t - 1), 16 * t), t);
        }
        half = m.weights();
        state = m.optimizerState();
        for (int t = 3; t <= 4; t++) {
          m.trainStep(data.slice(16 * (t - 1), 16 * t), t);
        }
        straight = m.weights();
      }
      assertEquals(2, state.step(), opt.type());
      assertTrue(!state.tensors().isEmpty(), opt.type() + " has state");
      try (TrainableModel m = backend().create(spec, half)) {
        m.loadOptimizerState(state);
        for (int t = 3; t <= 4; t++) {
          m.trainStep(data.slice(16 * (t - 1), 16 * t), t);
        }
        assertEquals(straight, m.weights(), opt.type() + ": resumed run differs from the straight one");
      }
      try (TrainableModel m = backend().create(spec, half)) {
        // Without the state the moments restart: the runs part (the test above is not vacuous).
        for (int t = 3; t <= 4; t++) {
          m.trainStep(data.slice(16 * (t - 1), 16 * t), t);
        }
        assertNotEquals(straight, m.weights(), opt.type());
      }
    }
  }

  @Test
  void optimizerStateOfAnotherOptimizerIsRefusedByName() {
    CheckedSpec sgd = mlp(new Optimizer.Sgd(0.1, 0.9, 0, false));
    CheckedSpec adam = mlp(new Optimizer.Adam(0.01));
    dev.rosetta.backend.OptimizerState state;
    try (TrainableModel m = backend().create(sgd, Initializer.initialize(sgd))) {
      state = m.optimizerState();
    }
    try (TrainableModel m = backend().create(adam, Initializer.initialize(adam))) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> m.loadOptimizerState(state));
      assertTrue(e.getMessage().contains("missing optimizer state 'fc1.weight/m'"), e.getMessage());
      assertTrue(e.getMessage().contains("unexpected optimizer state 'fc1.weight/momentum'"), e.getMessage());
    }
  }

  /** Two dense layers, the first with {@code first}'s options. */
  private static CheckedSpec twoLayers(dev.rosetta.spec.LayerOptions first, Optimizer opt) {
    return ModelSpec.builder().setInput(4).dense("fc1", 5).tanh("t").dense("fc2", 3)
        .configure("fc1", first).setLoss(new Loss.CrossEntropy()).setOptimizer(opt).optTraining(1, 8, 7, true).build();
  }

  @Test
  void aFrozenLayerGetsNoUpdateNoGradientAndNoOptimizerState() {
    CheckedSpec spec = twoLayers(dev.rosetta.spec.LayerOptions.frozen(), new Optimizer.Adam(0.05, 0.9, 0.999, 1e-8, 0.1));
    WeightSet w0 = Initializer.initialize(spec);
    Dataset data = blobs(32, 2);
    try (TrainableModel m = backend().create(spec, w0)) {
      assertEquals(java.util.Set.of("fc2.weight", "fc2.bias"), java.util.Set.copyOf(m.gradients(data.slice(0, 8), 1).names()));
      for (int t = 1; t <= 4; t++) {
        m.trainStep(data.slice(8 * (t - 1), 8 * t), t);
      }
      WeightSet w = m.weights();
      assertEquals(w0.get("fc1.weight"), w.get("fc1.weight"), "frozen weight moved");
      assertEquals(w0.get("fc1.bias"), w.get("fc1.bias"), "frozen bias moved (weight decay?)");
      assertNotEquals(w0.get("fc2.weight"), w.get("fc2.weight"));
      assertEquals(java.util.Set.of("fc2.weight/m", "fc2.weight/v", "fc2.bias/m", "fc2.bias/v"),
          m.optimizerState().tensors().keySet());
    }
  }

  @Test
  void aLayersLearningRateMultiplierScalesItsStep() {
    CheckedSpec spec = twoLayers(dev.rosetta.spec.LayerOptions.DEFAULT.withLrMultiplier(0.25), new Optimizer.Sgd(0.4));
    WeightSet w0 = Initializer.initialize(spec);
    Batch b = blobs(8, 3).slice(0, 8);
    try (TrainableModel m = backend().create(spec, w0)) {
      WeightSet g = m.gradients(b, 1);
      m.trainStep(b, 1);
      WeightSet w1 = m.weights();
      for (String name : w0.names()) {
        double lr = name.startsWith("fc1.") ? 0.1 : 0.4;
        float[] a = w0.get(name).data();
        for (int i = 0; i < a.length; i++) {
          assertEquals(a[i] - lr * g.get(name).data()[i], w1.get(name).data()[i], 1e-6, name + "[" + i + "]");
        }
      }
    }
  }

  @Test
  void penaltiesAddToTheLossAndItsGradient() {
    double l1 = 0.03;
    double l2 = 0.2;
    CheckedSpec plain = twoLayers(dev.rosetta.spec.LayerOptions.DEFAULT, new Optimizer.Sgd(0.1));
    CheckedSpec penalised = twoLayers(dev.rosetta.spec.LayerOptions.DEFAULT.withPenalties(l1, l2), new Optimizer.Sgd(0.1));
    WeightSet w0 = Initializer.initialize(plain);
    Batch b = blobs(8, 3).slice(0, 8);
    float[] w = w0.get("fc1.weight").data();
    double penalty = 0;
    for (float v : w) {
      penalty += l1 * Math.abs(v) + l2 * v * v;
    }
    try (TrainableModel a = backend().create(plain, w0); TrainableModel p = backend().create(penalised, w0)) {
      WeightSet ga = a.gradients(b, 1);
      WeightSet gp = p.gradients(b, 1);
      for (int i = 0; i < w.length; i++) {
        double want = ga.get("fc1.weight").data()[i] + l1 * Math.signum(w[i]) + 2 * l2 * w[i];
        assertEquals(want, gp.get("fc1.weight").data()[i], 1e-6, "fc1.weight[" + i + "]");
      }
      assertEquals(ga.get("fc1.bias"), gp.get("fc1.bias"), "the bias carries no penalty");
      assertEquals(a.trainStep(b, 1) + penalty, p.trainStep(b, 1), 1e-5);
    }
  }

  /** conv -> batch_norm (frozen, in the given mode) -> flatten -> dense. */
  private static CheckedSpec frozenBatchNorm(dev.rosetta.spec.LayerOptions.FrozenMode mode) {
    return ModelSpec.builder().setInput(1, 4, 4).conv2d("conv", 2, 3).batchNorm("bn").flatten("flat").dense("fc", 3)
        .configure("bn", dev.rosetta.spec.LayerOptions.frozen().withFrozenMode(mode))
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).optTraining(1, 8, 7, true).build();
  }

  private static Dataset images(int n) {
    return SyntheticData.blobs(Shape.of(1, 4, 4), 3, n, 6);
  }

  @Test
  void aFrozenBatchNormInInferenceModeUsesAndKeepsItsRunningStatistics() {
    CheckedSpec spec = frozenBatchNorm(dev.rosetta.spec.LayerOptions.FrozenMode.INFERENCE);
    WeightSet w0 = Initializer.initialize(spec);
    // Statistics far from the batch's, so using them shows.
    java.util.Map<String, dev.rosetta.weights.Tensor> t = new java.util.LinkedHashMap<>(w0.tensors());
    t.put("bn.running_mean", new dev.rosetta.weights.Tensor(Shape.of(2), new float[] {0.5f, -0.25f}));
    t.put("bn.running_var", new dev.rosetta.weights.Tensor(Shape.of(2), new float[] {4f, 0.5f}));
    WeightSet w = new WeightSet(t);
    Batch b = images(8).slice(0, 8);
    try (TrainableModel m = backend().create(spec, w)) {
      assertArrayEquals(m.predict(b.features(), 8), m.trainingOutput(b, 1), 1e-6f, "training forward = inference forward");
      m.trainStep(b, 1);
      WeightSet after = m.weights();
      for (String n : new String[] {"bn.running_mean", "bn.running_var", "bn.weight", "bn.bias"}) {
        assertEquals(w.get(n), after.get(n), n);
      }
      assertNotEquals(w.get("conv.weight"), after.get("conv.weight"), "the layers around it train");
    }
  }

  @Test
  void aFrozenBatchNormInTrainingModeUpdatesOnlyItsStatistics() {
    CheckedSpec spec = frozenBatchNorm(dev.rosetta.spec.LayerOptions.FrozenMode.TRAINING);
    WeightSet w = Initializer.initialize(spec);
    Batch b = images(8).slice(0, 8);
    try (TrainableModel m = backend().create(spec, w)) {
      m.trainStep(b, 1);
      WeightSet after = m.weights();
      assertEquals(w.get("bn.weight"), after.get("bn.weight"));
      assertEquals(w.get("bn.bias"), after.get("bn.bias"));
      assertNotEquals(w.get("bn.running_mean"), after.get("bn.running_mean"));
    }
  }
}
