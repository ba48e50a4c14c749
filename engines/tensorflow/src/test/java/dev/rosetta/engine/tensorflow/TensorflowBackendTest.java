package dev.rosetta.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.backend.NativeEnvironment;
import dev.rosetta.backend.ThreadPolicy;
import dev.rosetta.testkit.SyntheticData;
import dev.rosetta.testkit.TestSpecs;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TensorFlow-only checks: versions, the SavedModel face through DJL, the graph's update order,
 * batch norm's refusal of one value per channel. What every backend must do (learn, load weights
 * exactly, follow the documented gradient and update rules, repeat itself bit for bit) is one
 * suite in the tests module, run against each backend: {@code
 * dev.rosetta.tests.backend.BackendContractCases}, and for the norm and join layers {@code
 * dev.rosetta.tests.layers.GraphLayerCases}.
 */
class TensorflowBackendTest {

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

  @Test
  void foundThroughServiceLoaderWithVersions() {
    TensorflowBackend b = (TensorflowBackend) Backends.get("tensorflow");
    assertEquals("2.16.1", b.versions().get("tensorflow"));
    assertEquals("0.36.0", b.versions().get("djl"));
    assertTrue(b.unsupported(TestSpecs.mlp(new Optimizer.Sgd(0.1))).isEmpty());
  }

  @Test
  void savedModelThroughDjlPredictsAsTheTrainingGraph(@TempDir Path tmp) throws Exception {
    CheckedSpec spec = TestSpecs.mlp(new Optimizer.Sgd(0.1));
    Dataset data = blobs(64, 9);
    TensorflowBackend backend = new TensorflowBackend();
    try (TensorflowModel m = backend.createModel(spec, Initializer.initialize(spec))) {
      trainThreeSteps(m, data);
      assertSavedModelPredictsAsPredict(backend, m, data);
      assertEquals("ai.djl.tensorflow.engine.TfEngine",
          ai.djl.engine.Engine.getEngine("TensorFlow").getClass().getName());
      Path dir = tmp.resolve("saved");
      backend.exportSavedModel(spec, m.weights(), dir);
      assertTrue(Files.isRegularFile(dir.resolve("saved_model.pb")));
      assertTrue(Files.isDirectory(dir.resolve("variables")));
    }
  }

  /**
   * The inference model's session belongs to DJL's model, which closes with it: a call after close
   * is refused rather than run on a freed session. (What every backend's inference face does with
   * changing batch sizes is in the tests module's BackendContractCases.)
   */
  @Test
  void aClosedInferenceModelRefusesCalls() {
    CheckedSpec spec = TestSpecs.mlp(new Optimizer.Sgd(0.1));
    InferenceModel djl = new TensorflowBackend().inference(spec, Initializer.initialize(spec));
    assertEquals(3, djl.predict(new float[4], 1).length);
    djl.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> djl.predict(new float[4], 1));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  /**
   * A session's intra-op pool is fixed when it opens, so calls that want another count run on a
   * second session, opened on first use, with the same weights.
   */
  @Test
  void callsOfAnotherThreadCountRunOnASessionOfTheirOwn() {
    CheckedSpec spec = TestSpecs.mlp(new Optimizer.Sgd(0.1));
    int cores = Runtime.getRuntime().availableProcessors();
    Dataset data = blobs(256, 3);
    try (DjlSavedModel m = (DjlSavedModel) new TensorflowBackend().inference(spec, Initializer.initialize(spec))) {
      float[] one = m.predict(java.util.Arrays.copyOf(data.features(), 4), 1);
      assertEquals(1, m.openSessions());
      float[] all = m.predict(data.features(), 256);
      int large = ThreadPolicy.TENSORFLOW.inferenceThreads(spec, 256, cores);
      assertEquals(large, m.intraOpThreads(256));
      assertEquals(large == ThreadPolicy.TENSORFLOW.inferenceThreads(spec, 1, cores) ? 1 : 2, m.openSessions());
      assertArrayEquals(one, java.util.Arrays.copyOf(all, one.length), 1e-6f);
      m.predict(data.features(), 256);
      assertEquals(large == 1 ? 1 : 2, m.openSessions(), "a count's session is opened once");
    }
  }

  /** Each session gets a pool of its own count, not the one the process's first session sized. */
  @Test
  void tensorflowIsToldToGiveEachSessionItsOwnPool() {
    TensorflowNatives.load();
    assertEquals("1", NativeEnvironment.get(TensorflowNatives.PER_SESSION_POOLS));
  }

  /** Three train steps on the first 48 samples of {@code data}, 16 each. */
  static void trainThreeSteps(TensorflowModel m, Dataset data) {
    for (int s = 1; s <= 3; s++) {
      m.trainStep(data.slice(16 * (s - 1), 16 * s), s);
    }
  }

  /** The SavedModel of {@code m}'s weights, loaded through DJL, predicts {@code data} as {@code m} does. */
  static void assertSavedModelPredictsAsPredict(TensorflowBackend backend, TensorflowModel m, Dataset data) {
    float[] want = m.predict(data.features(), data.size());
    try (InferenceModel djl = backend.inference(m.spec(), m.weights())) {
      assertArrayEquals(want, djl.predict(data.features(), data.size()), 1e-6f);
    }
  }

  /**
   * The SavedModel evaluates batch_norm on the running statistics, as predict does: the kit's
   * residual block after three steps have moved them.
   */
  @Test
  void savedModelOfABatchNormModelPredictsAsPredict() {
    CheckedSpec spec = TestSpecs.residual();
    TensorflowBackend backend = new TensorflowBackend();
    try (TensorflowModel m = backend.createModel(spec, Initializer.initialize(spec))) {
      Dataset data = SyntheticData.bands(spec.input(), 48, 5);
      trainThreeSteps(m, data);
      assertNotEquals(Initializer.initialize(spec).get("bn1.running_var"), m.weights().get("bn1.running_var"));
      assertSavedModelPredictsAsPredict(backend, m, data);
    }
  }

  /**
   * The inference model's SavedModel holds the weights as constants, so TensorFlow's optimizer
   * computes what depends on them alone once; an exported one keeps variables, as TensorFlow's
   * own exports do. Weights past 1 GiB stay variables (a graph is one protocol buffer).
   */
  @Test
  void inferenceSavedModelHoldsTheWeightsAsConstants(@TempDir Path dir) throws java.io.IOException {
    CheckedSpec spec = TestSpecs.residual();
    WeightSet w = Initializer.initialize(spec);
    assertEquals(SavedModelExport.Weights.CONSTANTS, SavedModelExport.fastestFor(spec));
    SavedModelExport.export(spec, w, dir.resolve("constants"), SavedModelExport.Weights.CONSTANTS);
    SavedModelExport.export(spec, w, dir.resolve("variables"), SavedModelExport.Weights.VARIABLES);
    assertEquals(0, variableOps(dir.resolve("constants")));
    assertEquals(spec.params().size(), variableOps(dir.resolve("variables")));
    CheckedSpec huge = ModelSpec.builder().setInput(16384).dense("fc", 16385)
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    assertEquals(SavedModelExport.Weights.VARIABLES, SavedModelExport.fastestFor(huge), "4 * 268,451,840 bytes");
  }

  private static int variableOps(Path savedModel) {
    try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(savedModel.toString(), "serve")) {
      int n = 0;
      for (var it = b.graph().operations(); it.hasNext(); ) {
        if (it.next().type().startsWith("Variable")) {
          n++;
        }
      }
      return n;
    }
  }

  /**
   * PyTorch refuses batch norm training on one value per channel (the variance is undefined);
   * so does this backend, with an IllegalArgumentException. Evaluation is fine.
   */
  @Test
  void oneValuePerChannelIsRejectedInTraining() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(3).add(new Layer.BatchNorm("bn", 0.1, 1e-5))
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
      Batch one = new Batch(Shape.of(3), new float[] {1, 2, 3}, null, new float[3], 1);
      assertThrows(IllegalArgumentException.class, () -> m.trainStep(one, 1));
      assertArrayEquals(new float[] {1, 2, 3}, m.predict(new float[] {1, 2, 3}, 1), 1e-4f);
    }
  }

  /**
   * With graph variables, an update that may run before a backward op reading the same weight
   * silently breaks parity, or not, depending on the executor's order that day. So the
   * ordering is checked on the graph itself: every op that writes a variable must have every
   * gradient and the loss among its ancestors.
   */
  @Test
  void everyUpdateWaitsForAllGradients() {
    for (Optimizer opt :
        List.of(new Optimizer.Sgd(0.1), new Optimizer.Sgd(0.1, 0.9, 1e-3, true), new Optimizer.Adam(0.01, 0.9, 0.99, 1e-8, 1e-3))) {
      CheckedSpec spec = TestSpecs.mlp(opt);
      try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
        assertEquals(1 + 4, m.computedOps().size(), "loss and two dense layers' weight and bias gradients");
        List<Operation> writes = writesAfterAllGradients(m, " with " + opt);
        assertTrue(writes.size() >= 4, "at least one write per parameter, got " + writes);
      }
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
      assertEquals(1 + 6, m.computedOps().size(), "loss and the gradients of conv, bn and fc weight and bias");
      List<String> statWrites = new ArrayList<>();
      for (Operation w : writesAfterAllGradients(m, "")) {
        if (w.name().contains("running_stats")) {
          statWrites.add(w.name());
        }
      }
      assertEquals(2, statWrites.size(), "running_mean and running_var writes: " + statWrites);
    }
  }

  /** The variable writes of a step, which the model checked at construction to wait for every gradient. */
  static List<Operation> writesAfterAllGradients(TensorflowModel m, String context) {
    return TfUpdateOrder.requireWritesAfter(m.updateOps(), m.computedOps());
  }
}
