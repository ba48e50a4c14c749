package dev.rosetta.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.train.Backends;
import dev.rosetta.train.TrainableModel;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PytorchBackendTest {

  /** Three Gaussian blobs in 4-D: learnable in a few epochs. */
  static Dataset blobs(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 4];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
      for (int k = 0; k < 4; k++) {
        x[i * 4 + k] = (float) ((k == y[i] ? 2.0 : 0.0) + r.nextDouble() - 0.5);
      }
    }
    return Dataset.classification(Shape.of(4), x, y, "blobs");
  }

  static ModelSpec mlp(Optimizer opt) {
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

  @Test
  void foundThroughServiceLoader() {
    assertEquals(PytorchBackend.class, Backends.get("pytorch").getClass());
  }

  @Test
  void trainingLowersTheLossAndLearnsTheBlobs() {
    ModelSpec spec = mlp(new Optimizer.Sgd(0.1, 0.9, 1e-4, true));
    Dataset data = blobs(600, 1);
    try (TrainableModel m = new PytorchBackend().create(spec, Initializer.initialize(spec))) {
      float first = m.trainStep(data.slice(0, 16), 1);
      TrainingResult r = new TrainingLoop(spec, data, blobs(300, 2)).run(m, 1);
      assertTrue(r.trainLoss() < first / 4, "loss went from " + first + " to " + r.trainLoss());
      assertTrue(r.test().accuracy() > 0.95, "accuracy " + r.test().accuracy());
    }
  }

  @Test
  void loadsTheGivenWeightsExactly() {
    ModelSpec spec = mlp(new Optimizer.Adam(0.01));
    WeightSet init = Initializer.initialize(spec);
    try (TrainableModel m = new PytorchBackend().create(spec, init)) {
      assertEquals(init, m.weights());
    }
  }

  @Test
  void forwardMatchesAHandComputedMlp() {
    ModelSpec spec =
        ModelSpec.builder().setInput(4).dense("fc1", 5).tanh("t").dense("fc2", 3)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(spec);
    float[] x = {0.5f, -1f, 2f, 0.25f};
    try (TrainableModel m = new PytorchBackend().create(spec, w)) {
      float[] got = m.predict(x, 1);
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
      assertArrayEquals(want, got, 1e-5f);
    }
  }

  @Test
  void sgdStepFollowsTheDocumentedRule() {
    // One plain-SGD step: w1 = w0 - lr * grad, with grad from gradients() at w0.
    ModelSpec spec =
        ModelSpec.builder().setInput(4).dense("fc", 3)
            .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.5, 0, 0.1, false)).build();
    WeightSet w0 = Initializer.initialize(spec);
    Batch b = blobs(8, 3).slice(0, 8);
    try (TrainableModel m = new PytorchBackend().create(spec, w0)) {
      WeightSet g = m.gradients(b, 1);
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
    ModelSpec spec = mlp(new Optimizer.Adam(0.01));
    Dataset data = blobs(200, 4);
    WeightSet[] out = new WeightSet[2];
    for (int i = 0; i < 2; i++) {
      try (TrainableModel m = new PytorchBackend().create(spec, Initializer.initialize(spec))) {
        new TrainingLoop(spec.withTraining(spec.training()), data, null).run(m);
        out[i] = m.weights();
      }
    }
    assertEquals(out[0], out[1]);
  }
}
