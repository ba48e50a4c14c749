package dev.rosetta.converter;

import dev.rosetta.testkit.TestSpecs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxInspectorTest {
  @TempDir Path dir;

  Path exportSeed() throws IOException {
    CheckedSpec spec = TestSpecs.seedMlp();
    Path out = dir.resolve("seed.onnx");
    OnnxExport.export(spec, Initializer.initialize(spec), TestSpecs.PROVENANCE, out);
    return out;
  }

  @Test
  void summarisesAnExportedModel() throws IOException {
    Path file = exportSeed();
    OnnxSummary s = OnnxInspector.inspect(file);
    assertEquals(17, s.opset());
    assertEquals(8, s.irVersion());
    assertEquals("rosetta", s.producerName());
    assertEquals("seed-mlp", s.graphName());
    assertEquals("input: float[batch, 784]", s.inputs().get(0).toString());
    assertEquals("output: float[batch, 10]", s.outputs().get(0).toString());
    assertEquals(Map.of("Gemm", 3, "Relu", 2), s.operators());
    assertEquals(5, s.nodeCount());
    assertEquals(6, s.initializerCount());
    assertEquals(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10, s.parameterCount());
    assertEquals(TestSpecs.seedMlp().paramCount(), s.parameterCount());
    assertEquals(SpecJson.hash(TestSpecs.seedMlp()), s.metadata().get("spec_hash"));
    assertEquals("7", s.metadata().get("step"));
  }

  @Test
  void textAndJsonForms() throws IOException {
    OnnxSummary s = OnnxInspector.inspect(exportSeed());
    String text = s.toText();
    assertTrue(text.contains("format:     ONNX IR 8, opset 17\n"), text);
    assertTrue(text.contains("input:      input: float[batch, 784]\n"), text);
    assertTrue(text.contains("parameters: 109,386 in 6 initializers\n"), text);
    assertEquals(0, s.statisticCount());
    assertTrue(text.contains("operators:  5 nodes: Gemm x3, Relu x2\n"), text);
    assertTrue(text.contains("  backend          pytorch\n"), text);

    String json = s.toJson();
    assertEquals(-1, json.indexOf('\n'), "one line");
    JsonNode n = new ObjectMapper().readTree(json);
    assertEquals(17, n.get("opset").asInt());
    assertEquals(8, n.get("ir_version").asInt());
    assertEquals(109386, n.get("parameter_count").asLong());
    assertEquals(3, n.get("operators").get("Gemm").asInt());
    assertEquals("batch", n.get("inputs").get(0).get("shape").get(0).asText());
    assertEquals(784, n.get("inputs").get(0).get("shape").get(1).asInt());
    assertEquals("pytorch", n.get("metadata").get("backend").asText());
  }

  @Test
  void summarisesAGraphWithNormsAndJoins() throws IOException {
    CheckedSpec spec = TestSpecs.residual();
    Path file = dir.resolve("residual.onnx");
    OnnxExport.export(spec, Initializer.initialize(spec), TestSpecs.PROVENANCE, file);
    OnnxSummary s = OnnxInspector.inspect(file);
    assertEquals(
        Map.of("Add", 1, "BatchNormalization", 1, "Conv", 3, "Flatten", 1, "Gemm", 1, "GlobalAveragePool", 1, "Relu", 2),
        s.operators());
    // Every initialiser counts, and the batch norm's running mean and variance are told apart
    // from the trained parameters, which are exactly the spec's.
    assertEquals(8, s.statisticCount());
    assertEquals(spec.paramCount() + 8, s.parameterCount());
    String text = s.toText();
    assertTrue(text.contains("parameters: 435 in 11 initializers (8 of them batch-norm running statistics)\n"), text);
    assertTrue(text.contains("operators:  10 nodes: Add x1, BatchNormalization x1, Conv x3, Flatten x1, Gemm x1, GlobalAveragePool x1, Relu x2\n"), text);
    assertEquals(8, new ObjectMapper().readTree(s.toJson()).get("statistic_count").asInt());

    Path ln = dir.resolve("ln.onnx");
    OnnxExport.export(TestSpecs.layerNorms(), Initializer.initialize(TestSpecs.layerNorms()), TestSpecs.PROVENANCE, ln);
    assertEquals(3, OnnxInspector.inspect(ln).operators().get("LayerNormalization"));
    assertEquals(0, OnnxInspector.inspect(ln).statisticCount());
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope.onnx");
    var e = assertThrows(OnnxFileException.class, () -> OnnxInspector.inspect(missing));
    assertEquals(missing + ": file not found", e.getMessage());
  }

  @Test
  void aFileThatIsNotOnnxIsSaidToBeSo() throws IOException {
    Path text = dir.resolve("notes.onnx");
    Files.writeString(text, "hello, this is not a model\n");
    var e = assertThrows(OnnxFileException.class, () -> OnnxInspector.inspect(text));
    assertTrue(e.getMessage().startsWith(text + ": not an ONNX model"), e.getMessage());

    Path spec = dir.resolve("spec.onnx");
    Files.writeString(spec, SpecJson.write(TestSpecs.seedMlp()));
    e = assertThrows(OnnxFileException.class, () -> OnnxInspector.inspect(spec));
    assertEquals(spec + ": not an ONNX model (it looks like JSON: a spec file?)", e.getMessage());

    Path weights = dir.resolve("weights.onnx");
    Safetensors.write(weights, Initializer.initialize(TestSpecs.dense2d(true)), Map.of());
    e = assertThrows(OnnxFileException.class, () -> OnnxInspector.inspect(weights));
    assertEquals(weights + ": not an ONNX model (it looks like a safetensors file: a checkpoint?)", e.getMessage());

    Path empty = dir.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    e = assertThrows(OnnxFileException.class, () -> OnnxInspector.inspect(empty));
    assertEquals(empty + ": file is empty, not an ONNX model", e.getMessage());

    e = assertThrows(OnnxFileException.class, () -> OnnxInspector.inspect(dir));
    assertEquals(dir + ": is a directory, not an ONNX file", e.getMessage());
  }

  @Test
  void aTruncatedFileIsSaidToBeTruncatedWhereverItWasCut() throws IOException {
    byte[] full = Files.readAllBytes(exportSeed());
    // Cuts inside the header, inside a weight, just before the opset import, and one byte short.
    for (int length : List.of(3, 40, full.length / 2, full.length - 60, full.length - 1)) {
      Path cut = dir.resolve("cut-" + length + ".onnx");
      Files.write(cut, Arrays.copyOf(full, length));
      var e = assertThrows(OnnxFileException.class, () -> OnnxInspector.inspect(cut), "length " + length);
      assertTrue(
          e.getMessage().startsWith(cut + ": truncated or corrupt ONNX file")
              || e.getMessage().startsWith(cut + ": incomplete ONNX model, truncated?"),
          e.getMessage());
    }
  }
}
