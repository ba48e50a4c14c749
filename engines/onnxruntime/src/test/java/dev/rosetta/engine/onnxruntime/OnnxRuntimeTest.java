package dev.rosetta.engine.onnxruntime;

import dev.rosetta.testkit.JavaReferenceModel;
import dev.rosetta.testkit.TestSpecs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.converter.OnnxFileException;
import dev.rosetta.converter.OnnxLowering;
import dev.rosetta.converter.OnnxOpset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported graphs run in the real ONNX Runtime and compute the IR's function. */
class OnnxRuntimeTest {
  @TempDir Path dir;

  Path export(CheckedSpec spec, WeightSet w, int opset) throws IOException {
    Path out = dir.resolve(spec.name() + "-" + opset + ".onnx");
    OnnxExport.export(spec, w, TestSpecs.PROVENANCE, opset, out);
    return out;
  }

  @Test
  void everyLayerKindMatchesThePlainJavaForwardPassThroughDjlAndPlainOrt() throws IOException {
    for (CheckedSpec spec : List.of(TestSpecs.everyLayer(), TestSpecs.convolutions(), TestSpecs.dense3d(false), TestSpecs.dense2d(false), TestSpecs.seedMlp(),
        TestSpecs.dropoutOfASharedTensor())) {
      WeightSet w = Initializer.initialize(spec);
      Path file = export(spec, w, OnnxOpset.DEFAULT);
      try (InferenceModel reference = new JavaReferenceModel(spec, w);
          OnnxRuntimeModel djl = OnnxRuntimeModel.load(file, spec);
          OrtSessionModel ort = OrtSessionModel.load(file, spec)) {
        float[] pool = OnnxVerifier.syntheticInputs(spec, 37);
        var viaDjl = OnnxVerifier.compare(djl, reference, spec, pool);
        var viaOrt = OnnxVerifier.compare(ort, reference, spec, pool);
        assertTrue(viaDjl.pass(), spec.name() + " via DJL: " + viaDjl.toText());
        assertTrue(viaOrt.pass(), spec.name() + " via ORT: " + viaOrt.toText());
        assertEquals(List.of(1, 37), List.copyOf(viaDjl.maxAbsDiff().keySet()));
        // The two runtime paths run the same session code: they must agree exactly.
        assertEquals(0.0, OnnxVerifier.compare(djl, ort, spec, pool).worst(), spec.name());
      }
    }
  }

  /**
   * Both runtime paths read a buffer's rows between position and limit (a direct one in place) as
   * they read the same rows from an array, and a direct buffer refilled in place gives its new rows.
   */
  @Test
  void bufferInputsPredictAsArraysDoOnBothPaths() throws IOException {
    CheckedSpec spec = TestSpecs.seedMlp();
    WeightSet w = Initializer.initialize(spec);
    Path file = export(spec, w, OnnxOpset.DEFAULT);
    int size = (int) spec.input().size();
    float[] pool = OnnxVerifier.syntheticInputs(spec, 5);
    try (OnnxRuntimeModel djl = OnnxRuntimeModel.load(file, spec);
        OrtSessionModel ort = OrtSessionModel.load(file, spec)) {
      for (InferenceModel m : List.<InferenceModel>of(djl, ort)) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(4 * pool.length).order(java.nio.ByteOrder.nativeOrder());
        buffer.asFloatBuffer().put(pool);
        buffer.position(4 * size).limit(4 * 4 * size);
        float[] rows = java.util.Arrays.copyOfRange(pool, size, 4 * size);
        assertArrayEquals(m.predict(rows, 3), m.predict(buffer, 3), m.getClass().getSimpleName());
        assertEquals(4 * size, buffer.position());
        float[] other = OnnxVerifier.syntheticInputs(spec, 5);
        for (int i = 0; i < other.length; i++) {
          other[i] = 1 - other[i];
        }
        buffer.clear();
        buffer.asFloatBuffer().put(other);
        buffer.position(4 * size).limit(4 * 4 * size);
        assertArrayEquals(m.predict(java.util.Arrays.copyOfRange(other, size, 4 * size), 3), m.predict(buffer, 3),
            m.getClass().getSimpleName() + " refilled");
      }
    }
  }

  @Test
  void everySupportedOpsetLoadsAndComputesTheSameFunction() throws IOException {
    CheckedSpec spec = TestSpecs.everyLayer();
    WeightSet w = Initializer.initialize(spec);
    float[] pool = OnnxVerifier.syntheticInputs(spec, 37);
    try (InferenceModel reference = new JavaReferenceModel(spec, w)) {
      for (int opset = OnnxOpset.MIN; opset <= OnnxOpset.MAX; opset++) {
        try (OrtSessionModel ort = OrtSessionModel.load(export(spec, w, opset), spec)) {
          var v = OnnxVerifier.compare(ort, reference, spec, pool);
          assertTrue(v.pass(), "opset " + opset + ": " + v.toText());
        }
      }
    }
  }

  /**
   * Batch norm (rank 2 and 4, non-trivial running statistics), layer norm, a residual graph and
   * branches with concat and a three-way add: ONNX Runtime computes what the plain-Java
   * reference does, at every supported opset (layer norm changes form at 17).
   */
  @Test
  void normsAndGraphsMatchThePlainJavaForwardPassAtEveryOpset() throws IOException {
    for (CheckedSpec spec : TestSpecs.normsAndGraphs()) {
      WeightSet w = TestSpecs.withNormStats(spec, Initializer.initialize(spec), 11);
      float[] pool = OnnxVerifier.syntheticInputs(spec, 37);
      try (InferenceModel reference = new JavaReferenceModel(spec, w)) {
        for (int opset = OnnxOpset.MIN; opset <= OnnxOpset.MAX; opset++) {
          try (OrtSessionModel ort = OrtSessionModel.load(export(spec, w, opset), spec)) {
            var v = OnnxVerifier.compare(ort, reference, spec, pool);
            assertTrue(v.pass(), spec.name() + " at opset " + opset + ": " + v.toText());
          }
        }
        try (OnnxRuntimeModel djl = OnnxRuntimeModel.load(export(spec, w, OnnxOpset.DEFAULT), spec)) {
          var v = OnnxVerifier.compare(djl, reference, spec, pool);
          assertTrue(v.pass(), spec.name() + " via DJL: " + v.toText());
        }
      }
    }
  }

  /**
   * The running statistics really are used: the same batch-norm model with the initial
   * statistics (mean 0, variance 1) computes something else, and the reference sees it too.
   */
  @Test
  void batchNormUsesTheRunningStatisticsFromTheWeights() throws IOException {
    CheckedSpec spec = TestSpecs.bnMlp();
    WeightSet initial = Initializer.initialize(spec);
    WeightSet stats = TestSpecs.withNormStats(spec, initial, 3);
    float[] pool = OnnxVerifier.syntheticInputs(spec, 37);
    Path withStats = dir.resolve("stats.onnx");
    OnnxExport.export(spec, stats, TestSpecs.PROVENANCE, OnnxOpset.DEFAULT, withStats);
    try (OrtSessionModel a = OrtSessionModel.load(export(spec, initial, OnnxOpset.DEFAULT), spec);
        OrtSessionModel b = OrtSessionModel.load(withStats, spec);
        InferenceModel reference = new JavaReferenceModel(spec, stats)) {
      assertTrue(OnnxVerifier.compare(a, b, spec, pool).worst() > 1e-2);
      assertTrue(OnnxVerifier.compare(b, reference, spec, pool).pass());
    }
  }

  /** Why {@link OnnxOpset#MAX} is 22: the bundled runtime refuses the next opset. */
  @Test
  void theBundledRuntimeRefusesTheOpsetAfterTheMaximum() throws IOException {
    CheckedSpec spec = TestSpecs.dense2d(true);
    ModelProto m = OnnxLowering.lower(spec, Initializer.initialize(spec), Map.of(), OnnxOpset.MAX);
    ModelProto next =
        m.toBuilder()
            .setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(OnnxOpset.MAX + 1)).build();
    Path file = dir.resolve("next.onnx");
    Files.write(file, next.toByteArray());
    OrtEnvironment env = OrtSessionModel.environment();
    var e = assertThrows(OrtException.class, () -> {
      try (OrtSession.SessionOptions o = new OrtSession.SessionOptions(); OrtSession s = env.createSession(file.toString(), o)) {
        s.getInputNames();
      }
    });
    // ORT 1.21: "Current official support for domain ai.onnx is till opset 22."
    assertTrue(e.getMessage().contains("till opset " + OnnxOpset.MAX), e.getMessage());
  }

  @Test
  void theRuntimeReportsTheProvenanceMetadata() throws IOException {
    CheckedSpec spec = TestSpecs.dense2d(true);
    Path file = export(spec, Initializer.initialize(spec), OnnxOpset.DEFAULT);
    try (OnnxRuntimeModel m = OnnxRuntimeModel.load(file, spec)) {
      assertEquals("pytorch", m.metadata().get("backend"));
      assertEquals(dev.rosetta.spec.SpecJson.hash(spec), m.metadata().get("spec_hash"));
    }
  }

  @Test
  void loadingAgainstTheWrongSpecNamesBothShapes() throws IOException {
    CheckedSpec spec = TestSpecs.seedMlp();
    Path file = export(spec, Initializer.initialize(spec), OnnxOpset.DEFAULT);
    var e = assertThrows(OnnxFileException.class, () -> OnnxRuntimeModel.load(file, TestSpecs.dense2d(true)));
    assertEquals(
        file + ": input input: float[batch, 784] does not fit spec 'dense2d', whose samples are [4] (axis 1 is 784, expected 4)",
        e.getMessage());
    CheckedSpec wider =
        ModelSpec.builder().setInput(784).dense("fc1", 11)
            .setLoss(new dev.rosetta.spec.Loss.CrossEntropy()).setOptimizer(new dev.rosetta.spec.Optimizer.Sgd(0.1)).build();
    e = assertThrows(OnnxFileException.class, () -> OnnxRuntimeModel.load(file, wider));
    assertTrue(e.getMessage().contains("output output: float[batch, 10] does not fit spec"), e.getMessage());
  }

  @Test
  void predictRefusesAnInputOfTheWrongSize() throws IOException {
    CheckedSpec spec = TestSpecs.dense3d(true);
    try (OnnxRuntimeModel m = OnnxRuntimeModel.load(export(spec, Initializer.initialize(spec), 17), spec)) {
      var e = assertThrows(IllegalArgumentException.class, () -> m.predict(new float[13], 1));
      assertEquals("1 samples of shape [3, 4] need 12 values, got 13", e.getMessage());
      assertEquals(2 * 18, m.predict(new float[24], 2).length);
    }
  }

  @Test
  void aPinnedThreadCountComputesTheSameOutputs() throws IOException {
    CheckedSpec spec = TestSpecs.seedMlp();
    Path file = export(spec, Initializer.initialize(spec), OnnxOpset.DEFAULT);
    float[] x = OnnxVerifier.syntheticInputs(spec, 37);
    try (OnnxRuntimeModel one = OnnxRuntimeModel.load(file, spec, 1);
        OnnxRuntimeModel all = OnnxRuntimeModel.load(file, spec)) {
      assertEquals(0.0, OnnxVerifier.compare(one, all, spec, x).worst());
    }
    var e = assertThrows(IllegalArgumentException.class, () -> OnnxRuntimeModel.load(file, spec, -1));
    assertEquals("intraOpThreads must be >= 0 (got -1)", e.getMessage());
  }

  @Test
  void verifierPassesAFaithfulExportAndCatchesAWrongOne() throws IOException {
    CheckedSpec spec = TestSpecs.everyLayer();
    WeightSet w = Initializer.initialize(spec);
    Path file = export(spec, w, OnnxOpset.DEFAULT);
    try (InferenceModel reference = new JavaReferenceModel(spec, w)) {
      OnnxVerifier.Verification ok = OnnxVerifier.verify(file, spec, reference);
      assertTrue(ok.pass(), ok.toText());
      assertTrue(ok.worst() <= 1e-5 && ok.worst() < 1e-6, ok.toText());
      assertTrue(ok.toText().startsWith("PASS max abs diff"), ok.toText());
    }
    // A reference off by 1e-4 on one output: the verifier must see it at both batch sizes.
    InferenceModel skewed = new InferenceModel() {
      final JavaReferenceModel inner = new JavaReferenceModel(spec, w);

      @Override
      public float[] predict(float[] inputs, int n) {
        float[] y = inner.predict(inputs, n);
        y[0] += 1e-4f;
        return y;
      }

      @Override
      public void close() {}
    };
    OnnxVerifier.Verification bad = OnnxVerifier.verify(file, spec, skewed);
    assertFalse(bad.pass());
    assertEquals(1e-4, bad.maxAbsDiff().get(1), 2e-6);
    assertEquals(1e-4, bad.maxAbsDiff().get(37), 2e-6);
    assertTrue(bad.toText().startsWith("FAIL"), bad.toText());
  }

  /**
   * Outputs up to 1 are held to the contract's 1e-5; larger outputs (a trained model's logits) to
   * 1e-5 of the largest, because float32 cannot resolve 1e-5 at 58 (one ulp there is 3.8e-6).
   */
  @Test
  void theBoundScalesWithTheLargestOutputBeyondOne() {
    CheckedSpec spec = TestSpecs.everyLayer();
    int width = spec.outputSize();
    float[] pool = OnnxVerifier.syntheticInputs(spec, 37);
    // Outputs of a chosen magnitude; the candidate differs from the reference by `off` at one place.
    java.util.function.BiFunction<Float, Float, OnnxVerifier.Verification> run = (magnitude, off) -> {
      InferenceModel reference = fixed(width, magnitude, 0f);
      InferenceModel candidate = fixed(width, magnitude, off);
      return OnnxVerifier.compare(candidate, reference, spec, pool);
    };
    OnnxVerifier.Verification small = run.apply(0.5f, 2e-5f);
    assertFalse(small.pass(), small.toText());
    assertEquals(1e-5, small.tolerance(), 0);
    assertTrue(small.toText().endsWith("; bound 1.0e-05)"), small.toText());

    OnnxVerifier.Verification logits = run.apply(58f, 2e-5f);
    assertTrue(logits.pass(), logits.toText());
    assertEquals(58 * 1e-5, logits.tolerance(), 1e-9);
    assertEquals(58, logits.outputScale(), 0);
    assertTrue(logits.toText().endsWith("; bound 5.8e-04 = 1e-5 x largest output 58.0)"), logits.toText());

    OnnxVerifier.Verification wrong = run.apply(58f, 1e-3f);
    assertFalse(wrong.pass(), "1e-3 on logits of 58 is a real error: " + wrong.toText());
  }

  /** Every output {@code magnitude}, except the first of each batch, raised by {@code off}. */
  private static InferenceModel fixed(int width, float magnitude, float off) {
    return new InferenceModel() {
      @Override
      public float[] predict(float[] inputs, int n) {
        float[] y = new float[n * width];
        java.util.Arrays.fill(y, magnitude);
        y[0] += off;
        return y;
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void verifierUsesRealSamplesWhenGiven() throws IOException {
    CheckedSpec spec = TestSpecs.dense2d(true);
    WeightSet w = Initializer.initialize(spec);
    Path file = export(spec, w, OnnxOpset.DEFAULT);
    var data = dev.rosetta.data.Dataset.classification(Shape.of(4), new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[] {0, 1}, "two samples");
    try (InferenceModel reference = new JavaReferenceModel(spec, w)) {
      assertTrue(OnnxVerifier.verify(file, spec, reference, data).pass());
    }
    var wrongShape = dev.rosetta.data.Dataset.classification(Shape.of(2), new float[] {1, 2}, new int[] {0}, "pairs");
    var e = assertThrows(IllegalArgumentException.class, () -> OnnxVerifier.verify(file, spec, new JavaReferenceModel(spec, w), wrongShape));
    assertEquals("pairs: samples of shape [2] do not fit the spec input [4]", e.getMessage());
  }
}
