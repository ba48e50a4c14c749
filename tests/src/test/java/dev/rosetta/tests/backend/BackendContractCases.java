package dev.rosetta.tests.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.rosetta.testkit.SyntheticData;
import dev.rosetta.backend.Backend;
import dev.rosetta.train.DropoutMasks;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
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
}
