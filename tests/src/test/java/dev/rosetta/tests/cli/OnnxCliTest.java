package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rosetta export}, {@code inspect} and the ONNX Runtime face of eval/predict. */
class OnnxCliTest {
  static final String SEED = CliTest.SEED.toString();
  @TempDir static Path dir;
  static Path ckpt;

  @BeforeAll
  static void trainOneEpoch() {
    Path out = dir.resolve("run");
    CliTest.Run r = rosetta("train", SEED, "--backend", "pytorch", "--epochs", "1", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    ckpt = out.resolve("checkpoint.safetensors");
  }

  @Test
  void exportVerifiesAndOnnxRuntimeEvaluatesLikePytorch() throws IOException {
    Path onnx = dir.resolve("seed.onnx");
    CliTest.Run e = rosetta("export", SEED, "--weights", ckpt.toString(), "--out", onnx.toString(), "--verify", "--json");
    assertEquals(0, e.code(), e.out() + e.err());
    assertTrue(e.json().get("pass").asBoolean());
    assertTrue(e.json().get("max_abs_diff_batch_37").asDouble() <= 1e-5);
    assertEquals(8, e.json().get("ir_version").asInt());

    CliTest.Run i = rosetta("inspect", onnx.toString(), "--json");
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("operators:  5 nodes: Gemm x3, Relu x2"), i.out());
    assertEquals(109386, i.json().get("parameter_count").asInt(), i.json().toString());

    CliTest.Run ort = rosetta("eval", SEED, "--backend", "onnxruntime", "--model", onnx.toString(), "--json");
    CliTest.Run pt = rosetta("eval", SEED, "--weights", ckpt.toString(), "--json");
    assertEquals(0, ort.code(), ort.err());
    assertEquals("onnxruntime", ort.json().get("backend").asText());
    assertEquals(pt.json().get("accuracy").asDouble(), ort.json().get("accuracy").asDouble(), 1e-9);
    assertEquals(pt.json().get("loss").asDouble(), ort.json().get("loss").asDouble(), 1e-5);

    CliTest.Run p = rosetta("predict", SEED, "--backend", "onnxruntime", "--model", onnx.toString(), "--count", "2", "--json");
    assertEquals(0, p.code(), p.err());
    assertEquals(2, p.json().get("predictions").size());
  }

  @Test
  void opsetChoiceStampsTheIrVersion() throws IOException {
    Path onnx = dir.resolve("op13.onnx");
    assertEquals(0, rosetta("export", SEED, "--weights", ckpt.toString(), "--out", onnx.toString(), "--opset", "13").code());
    assertEquals(7, rosetta("inspect", onnx.toString(), "--json").json().get("ir_version").asInt());
    CliTest.Run bad = rosetta("export", SEED, "--weights", ckpt.toString(), "--out", dir.resolve("x.onnx").toString(), "--opset", "30");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--opset must be in 13..22"), bad.err());
    assertFalse(Files.exists(dir.resolve("x.onnx")));
  }

  @Test
  void badInputLeavesNoFileBehind() throws IOException {
    Path small = dir.resolve("small.json");
    Files.writeString(small, Files.readString(CliTest.SEED).replace("\"units\": 128", "\"units\": 32"));
    Path onnx = dir.resolve("wrong.onnx");
    CliTest.Run r = rosetta("export", small.toString(), "--weights", ckpt.toString(), "--out", onnx.toString(), "--verify");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("tensor 'fc1.weight' has shape [128, 784] but the spec needs [32, 784]"), r.err());
    assertFalse(Files.exists(onnx));
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("wrong.onnx")), "no temporary left");
    }
    CliTest.Run missing = rosetta("export", SEED, "--weights", dir.resolve("nope.safetensors").toString(), "--out", onnx.toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("checkpoint not found"), missing.err());
  }

  @Test
  void inspectRejectsWhatIsNotOnnx() throws IOException {
    CliTest.Run spec = rosetta("inspect", SEED);
    assertEquals(2, spec.code());
    assertTrue(spec.err().contains("not an ONNX model"), spec.err());
    Path good = dir.resolve("t.onnx");
    assertEquals(0, rosetta("export", SEED, "--weights", ckpt.toString(), "--out", good.toString()).code());
    byte[] b = Files.readAllBytes(good);
    Path cut = dir.resolve("cut.onnx");
    Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
    CliTest.Run t = rosetta("inspect", cut.toString());
    assertEquals(2, t.code());
    assertTrue(t.err().contains(cut.toString()), t.err());
    assertEquals(2, rosetta("inspect", dir.resolve("absent.onnx").toString()).code());
  }
}
