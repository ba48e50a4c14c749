package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rosetta import} end to end: the table, --verify, the files, and the commands that use them. */
class ImportCliTest {
  @TempDir Path dir;

  static Path fixture(String name) {
    try {
      return Path.of(ImportCliTest.class.getResource("/onnx-import/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void importVerifiesThenValidateEvalTrainAndExportUseIt() throws IOException {
    Path out = dir.resolve("cnn");
    CliTest.Run r = rosetta("import", fixture("torch_cnn_opset17_bn.onnx").toString(), "--out", out.toString(), "--verify", "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("'/bn1/BatchNormalization' (BatchNormalization)") && r.out().contains("-> bn1: batch_norm {\"momentum\":0.1,\"epsilon\":1.0E-5}"), r.out());
    assertTrue(r.out().contains("ONNX Runtime (original file) vs pytorch: PASS"), r.out());
    assertTrue(r.out().contains("ONNX Runtime (original file) vs tensorflow: PASS"), r.out());
    JsonNode j = r.json();
    assertTrue(j.get("pass").asBoolean());
    assertTrue(j.get("verify").get("tensorflow").get("max_abs_diff").asDouble() <= 1e-5, j.toString());
    String spec = out.resolve("spec.json").toString();
    String weights = out.resolve("weights.safetensors").toString();

    assertEquals(0, rosetta("validate", spec).code());
    CliTest.Run pt = rosetta("eval", spec, "--weights", weights, "--backend", "pytorch", "--json");
    CliTest.Run tf = rosetta("eval", spec, "--weights", weights, "--backend", "tensorflow", "--json");
    assertEquals(0, pt.code(), pt.err());
    assertEquals(pt.json().get("accuracy").asDouble(), tf.json().get("accuracy").asDouble(), 1e-9);

    CliTest.Run train = rosetta("train", spec, "--weights", weights, "--backend", "tensorflow", "--epochs", "1",
        "--out", dir.resolve("tuned").toString(), "--json");
    assertEquals(0, train.code(), train.err());
    Path tuned = dir.resolve("tuned").resolve("checkpoint.safetensors");

    Path onnx = dir.resolve("tuned.onnx");
    CliTest.Run export = rosetta("export", spec, "--weights", tuned.toString(), "--out", onnx.toString(), "--verify");
    assertEquals(0, export.code(), export.out() + export.err());
    CliTest.Run back = rosetta("import", onnx.toString(), "--out", dir.resolve("back").toString(), "--json");
    assertEquals(0, back.code(), back.err());
    assertTrue(back.json().get("restored_from_metadata").asBoolean(), back.out());
    assertEquals(Files.readString(out.resolve("spec.json")), Files.readString(dir.resolve("back").resolve("spec.json")));
  }

  /** A tabular export (raw rows in) imports whole; --verify runs it on the table's raw rows. */
  @Test
  void aPenguinsExportWithItsPreprocessingImportsAndVerifiesOnRawRows() throws IOException {
    String spec = "../examples/penguins.json";
    String data = "../examples/data/penguins.csv";
    Path run = dir.resolve("penguins");
    assertEquals(0, rosetta("train", spec, "--backend", "pytorch", "--epochs", "2", "--data", data, "--out", run.toString()).code());
    Path onnx = dir.resolve("penguins.onnx");
    assertEquals(0, rosetta("export", spec, "--weights", run.resolve("checkpoint.safetensors").toString(), "--out", onnx.toString(), "--data", data).code());
    Path out = dir.resolve("imported");
    CliTest.Run r = rosetta("import", onnx.toString(), "--out", out.toString(), "--verify", "--data", data, "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("input: raw table rows"), r.out());
    assertTrue(r.json().get("restored_from_metadata").asBoolean() && r.json().get("pass").asBoolean(), r.out());
    CliTest.Run e = rosetta("eval", out.resolve("spec.json").toString(), "--weights", out.resolve("weights.safetensors").toString(),
        "--data", data, "--json");
    CliTest.Run original = rosetta("eval", spec, "--weights", run.resolve("checkpoint.safetensors").toString(), "--data", data, "--json");
    assertEquals(0, e.code(), e.err());
    assertEquals(original.json().get("accuracy").asDouble(), e.json().get("accuracy").asDouble(), 0.0);
  }

  @Test
  void aKerasImportSaysHowTheInputLayoutChanged() throws IOException {
    CliTest.Run r = rosetta("import", fixture("keras_cnn_rgb.onnx").toString(), "--out", dir.resolve("k").toString(), "--name", "rgb");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("input 'keras_tensor_13': NHWC [12, 12, 3] -> NCHW [3, 12, 12]"), r.out());
    assertTrue(r.out().contains("note: input layout changed"), r.out());
    assertTrue(Files.readString(dir.resolve("k").resolve("spec.json")).contains("\"name\" : \"rgb\""));
  }

  @Test
  void refusalsExitTwoNameTheNodeOrFileAndWriteNothing() throws IOException {
    byte[] whole = Files.readAllBytes(fixture("torch_mlp_opset17.onnx"));
    Path cut = dir.resolve("cut.onnx");
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 2));
    List<List<String>> cases = List.of(
        List.of(fixture("refuse_cos_opset17.onnx").toString(), "node '/Cos' (Cos, opset 17)"),
        List.of(fixture("refuse_loop_opset17.onnx").toString(), "node 'loop' (Loop, opset 17)"),
        List.of(fixture("refuse_lstm_opset17.onnx").toString(), "(LSTM, opset 17)"),
        List.of(fixture("refuse_matmul_input_by_input_opset17.onnx").toString(), "node '/MatMul' (MatMul, opset 17)"),
        List.of(fixture("refuse_gemm_weight_is_graph_input_opset17.onnx").toString(), "graph input 'weight'"),
        List.of(fixture("refuse_external_data_missing.onnx").toString(), "refuse_external_data_missing.onnx.data"),
        List.of(cut.toString(), cut.toString()),
        List.of(dir.resolve("absent.onnx").toString(), "file not found"));
    for (List<String> c : cases) {
      Path out = dir.resolve("out-" + Path.of(c.get(0)).getFileName());
      CliTest.Run r = rosetta("import", c.get(0), "--out", out.toString(), "--verify");
      assertEquals(2, r.code(), c.get(0) + ": " + r.out() + r.err());
      assertTrue(r.err().contains(c.get(1)), r.err());
      assertFalse(Files.exists(out), "nothing written for " + c.get(0));
    }
  }
}
