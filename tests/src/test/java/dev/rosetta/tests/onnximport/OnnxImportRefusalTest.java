package dev.rosetta.tests.onnximport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.converter.OnnxFileException;
import dev.rosetta.converter.OnnxImport;
import dev.rosetta.converter.OnnxImportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What cannot become a spec stops the import with a message naming the node (name, op type,
 * opset) or the file: an op with no layer, an LSTM, control flow, weights computed from the
 * input or fed as an input, missing external data, a truncated file.
 */
class OnnxImportRefusalTest {
  @TempDir Path dir;

  /** What each refusal's message must say. */
  static final Map<String, List<String>> EXPECTED = Map.of(
      "refuse_cos_opset17.onnx", List.of("node '/Cos' (Cos, opset 17)", "no Rosetta layer computes Cos", "Supported ONNX ops: Add,"),
      "refuse_lstm_opset17.onnx", List.of("node '/lstm/LSTM' (LSTM, opset 17)", "nearest supported alternative: none: Rosetta has no recurrent layer"),
      "refuse_matmul_input_by_input_opset17.onnx", List.of("node '/MatMul' (MatMul, opset 17)", "computed from the model input (through Transpose '/Transpose')"),
      "refuse_loop_opset17.onnx", List.of("node 'loop' (Loop, opset 17)", "control flow"),
      "refuse_gemm_weight_is_graph_input_opset17.onnx", List.of("(Gemm, opset 17)", "reads the graph input 'weight'"),
      "refuse_external_data_missing.onnx", List.of("tensor 'fc1.weight'", "'refuse_external_data_missing.onnx.data', which is missing"));

  static List<ImportFixtures.Fixture> refusals() {
    return ImportFixtures.refusals();
  }

  @Test
  void everyRefusalFixtureHasItsExpectedMessage() {
    assertEquals(EXPECTED.keySet(), refusals().stream().map(ImportFixtures.Fixture::file).collect(java.util.stream.Collectors.toSet()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void refusesNamingTheNodeOrFile(ImportFixtures.Fixture f) {
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(f.path()));
    assertTrue(e.getMessage().startsWith(f.path().toString()), e.getMessage());
    for (String s : EXPECTED.get(f.file())) {
      assertTrue(e.getMessage().contains(s), "expected '" + s + "' in: " + e.getMessage());
    }
  }

  @Test
  void aTruncatedOrForeignFileNamesTheFile() throws IOException {
    byte[] whole = Files.readAllBytes(ImportFixtures.named("torch_mlp_opset17.onnx").path());
    Path cut = dir.resolve("cut.onnx");
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
    OnnxFileException e = assertThrows(OnnxFileException.class, () -> OnnxImport.read(cut));
    assertTrue(e.getMessage().startsWith(cut + ": ")
        && (e.getMessage().contains("truncated") || e.getMessage().contains("corrupt")), e.getMessage());
    Path manifest = ImportFixtures.dir().resolve("MANIFEST.json");
    OnnxFileException json = assertThrows(OnnxFileException.class, () -> OnnxImport.read(manifest));
    assertTrue(json.getMessage().contains("not an ONNX model (it looks like JSON"), json.getMessage());
  }
}
