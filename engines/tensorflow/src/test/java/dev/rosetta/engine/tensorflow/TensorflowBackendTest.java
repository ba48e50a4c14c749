package dev.rosetta.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.weights.Initializer;
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
 * TensorFlow-only checks: versions, the SavedModel face through DJL, the graph's update order.
 * What every backend must do (learn, load weights exactly, follow the documented gradient and
 * update rules, repeat itself bit for bit) is one suite in the tests module, run against each
 * backend: {@code dev.rosetta.tests.backend.BackendContractCases}.
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

  static CheckedSpec mlp(Optimizer opt) {
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
  void foundThroughServiceLoaderWithVersions() {
    TensorflowBackend b = (TensorflowBackend) Backends.get("tensorflow");
    assertEquals("2.16.1", b.versions().get("tensorflow"));
    assertEquals("0.36.0", b.versions().get("djl"));
    assertTrue(b.unsupported(mlp(new Optimizer.Sgd(0.1))).isEmpty());
  }

  @Test
  void savedModelThroughDjlPredictsAsTheTrainingGraph(@TempDir Path tmp) throws Exception {
    CheckedSpec spec = mlp(new Optimizer.Sgd(0.1));
    Dataset data = blobs(64, 9);
    TensorflowBackend backend = new TensorflowBackend();
    try (TensorflowModel m = backend.createModel(spec, Initializer.initialize(spec))) {
      for (int s = 1; s <= 3; s++) {
        m.trainStep(data.slice(16 * (s - 1), 16 * s), s);
      }
      float[] want = m.predict(data.features(), 64);
      try (InferenceModel djl = backend.inference(spec, m.weights())) {
        assertEquals("ai.djl.tensorflow.engine.TfEngine",
            ai.djl.engine.Engine.getEngine("TensorFlow").getClass().getName());
        assertArrayEquals(want, djl.predict(data.features(), 64), 1e-6f);
      }
      Path dir = tmp.resolve("saved");
      backend.exportSavedModel(spec, m.weights(), dir);
      assertTrue(Files.isRegularFile(dir.resolve("saved_model.pb")));
      assertTrue(Files.isDirectory(dir.resolve("variables")));
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
      CheckedSpec spec = mlp(opt);
      try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
        List<Operation> computed = m.computedOps();
        assertEquals(1 + 4, computed.size(), "loss and two dense layers' weight and bias gradients");
        List<Operation> writes = new ArrayList<>();
        for (Operation u : m.updateOps()) {
          writes.addAll(writers(u));
        }
        assertTrue(writes.size() >= 4, "at least one write per parameter, got " + writes);
        for (Operation w : writes) {
          Set<String> ancestors = ancestors((GraphOperation) w);
          for (Operation c : computed) {
            assertTrue(ancestors.contains(c.name()), w.name() + " (" + w.type() + ") may run before " + c.name() + " with " + opt);
          }
        }
      }
    }
  }

  /** The variable-writing ops at or above an update op. */
  static List<Operation> writers(Operation u) {
    List<Operation> out = new ArrayList<>();
    Deque<GraphOperation> todo = new ArrayDeque<>(List.of((GraphOperation) u));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (!seen.add(op.name())) {
        continue;
      }
      if (op.type().startsWith("Assign")) {
        out.add(op);
      }
      for (Operand<?> in : op.inputs()) {
        todo.push((GraphOperation) in.op());
      }
    }
    return out;
  }

  static Set<String> ancestors(GraphOperation start) {
    Set<String> seen = new HashSet<>();
    Deque<GraphOperation> todo = new ArrayDeque<>();
    todo.push(start);
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      for (Operand<?> in : op.inputs()) {
        if (seen.add(in.op().name())) {
          todo.push((GraphOperation) in.op());
        }
      }
      for (GraphOperation c : op.controlInputs()) {
        if (seen.add(c.name())) {
          todo.push(c);
        }
      }
    }
    return seen;
  }
}
