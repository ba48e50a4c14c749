package dev.rosetta.tests.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rosetta.backend.InferenceModel;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.engine.onnxruntime.OnnxRuntimeModel;
import dev.rosetta.engine.onnxruntime.OrtSessionModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.train.InferenceBenchmark;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX Runtime session {@code rosetta bench --compare --inference} measures the backends
 * against ({@code OrtSessionModel}, ONNX Runtime's own Java API) must do the work of Rosetta's own
 * ONNX face through DJL and no other: on fashion-cnn's export, at
 * batch 1 and 256, both give the same outputs.
 */
class OnnxRuntimeReferenceTest {
  private static final Path CNN = Path.of(System.getProperty("rosetta.examplesDir", "../examples"), "fashion-cnn.json");

  @Test
  void predictsWhatRosettasOnnxFacePredicts(@TempDir Path tmp) throws Exception {
    CheckedSpec spec = SpecJson.read(CNN);
    WeightSet w = Initializer.initialize(spec);
    Path onnx = tmp.resolve("model.onnx");
    OnnxExport.export(spec, w, Map.of(), onnx);
    try (InferenceModel djl = OnnxRuntimeModel.load(onnx, spec);
        InferenceModel direct = OrtSessionModel.load(onnx, spec)) {
      for (int n : new int[] {1, 256, 1}) {
        float[] x = InferenceBenchmark.randomInputs((int) spec.input().size() * n, n);
        assertArrayEquals(djl.predict(x, n), direct.predict(x, n), 1e-6f, "batch " + n);
      }
      assertThrows(IllegalArgumentException.class, () -> direct.predict(new float[5], 1));
    }
  }
}
