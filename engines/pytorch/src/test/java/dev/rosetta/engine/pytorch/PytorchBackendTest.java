package dev.rosetta.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.pytorch.jni.JniUtils;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.ThreadPolicy;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.weights.Initializer;
import org.junit.jupiter.api.Test;

/**
 * PyTorch-only checks. What every backend must do (learn, load weights exactly, follow the
 * documented gradient and update rules, repeat itself bit for bit) is one suite in the tests
 * module, run against each backend: {@code dev.rosetta.tests.backend.BackendContractCases}.
 */
class PytorchBackendTest {
  private static final CheckedSpec MLP = ModelSpec.builder().setInput(784)
      .dense("fc1", 128).relu("r1").dense("fc2", 64).relu("r2").dense("fc3", 10)
      .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.01)).optTraining(1, 64, 42, true).build();
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  @Test
  void foundThroughServiceLoaderWithVersions() {
    PytorchBackend b = (PytorchBackend) Backends.get("pytorch");
    assertEquals("0.36.0", b.versions().get("djl"));
    assertEquals("2.7.1", b.versions().get("pytorch"));
  }

  /** Training keeps the policy's count for the spec's batch; each predict call takes its own batch's. */
  @Test
  void eachPredictCallRunsOnItsBatchsThreadCount() {
    try (TrainableModel m = Backends.get("pytorch").create(MLP, Initializer.initialize(MLP), Execution.DEFAULT)) {
      assertEquals(ThreadPolicy.PYTORCH.trainingThreads(MLP, 64, CORES), m.intraOpThreads());
      m.predict(new float[784 * 256], 256);
      assertEquals(ThreadPolicy.PYTORCH.inferenceThreads(MLP, 256, CORES), JniUtils.getNumThreads());
      assertEquals(JniUtils.getNumThreads(), m.intraOpThreads(256));
      m.predict(new float[784], 1);
      assertEquals(1, JniUtils.getNumThreads(), "one sample through the MLP runs on the calling thread");
      assertEquals(1, m.intraOpThreads(1));
    }
    try (TrainableModel m = Backends.get("pytorch").create(MLP, Initializer.initialize(MLP), Execution.threads(3))) {
      m.predict(new float[784], 1);
      assertEquals(3, JniUtils.getNumThreads(), "an explicit count holds for every call");
      assertEquals(3, m.intraOpThreads(256));
    }
  }
}
