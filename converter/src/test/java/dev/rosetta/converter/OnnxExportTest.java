package dev.rosetta.converter;

import dev.rosetta.testkit.TestSpecs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxExportTest {
  @TempDir Path dir;

  static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesTheLoweredModel() throws IOException {
    CheckedSpec spec = TestSpecs.seedMlp();
    WeightSet w = Initializer.initialize(spec);
    Path out = dir.resolve("sub/seed.onnx");
    ModelProto written = OnnxExport.export(spec, w, TestSpecs.PROVENANCE, out);
    assertArrayEquals(written.toByteArray(), Files.readAllBytes(out));
    assertEquals(OnnxLowering.lower(spec, w, TestSpecs.PROVENANCE), ModelProto.parseFrom(Files.readAllBytes(out)));
    assertEquals(List.of("seed.onnx"), listing(out.getParent()), "no temporary file left beside it");
  }

  @Test
  void sameInputsGiveByteIdenticalFiles() throws IOException {
    CheckedSpec spec = TestSpecs.everyLayer();
    WeightSet w = Initializer.initialize(spec);
    OnnxExport.export(spec, w, TestSpecs.PROVENANCE, dir.resolve("a.onnx"));
    OnnxExport.export(spec, w, TestSpecs.PROVENANCE, dir.resolve("b.onnx"));
    assertArrayEquals(Files.readAllBytes(dir.resolve("a.onnx")), Files.readAllBytes(dir.resolve("b.onnx")));
  }

  @Test
  void mismatchedWeightsFailClearlyAndLeaveNoFile() throws IOException {
    CheckedSpec spec = TestSpecs.seedMlp();
    Map<String, Tensor> t = new LinkedHashMap<>(Initializer.initialize(spec).tensors());
    t.put("fc2.weight", new Tensor(Shape.of(64, 100), new float[6400]));
    t.put("fc9.bias", new Tensor(Shape.of(2), new float[2]));
    Path out = dir.resolve("bad.onnx");
    var e = assertThrows(WeightSet.WeightMismatchException.class,
        () -> OnnxExport.export(spec, new WeightSet(t), Map.of(), out));
    assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("tensor 'fc2.weight' has shape [64, 100] but the spec needs [64, 128]"), e.getMessage());
    assertTrue(e.getMessage().contains("unexpected tensor 'fc9.bias'"), e.getMessage());
    assertFalse(Files.exists(out));
    assertEquals(List.of(), listing(dir));
  }

  @Test
  void aFailedExportLeavesAnExistingFileUntouched() throws IOException {
    CheckedSpec spec = TestSpecs.dense2d(true);
    Path out = dir.resolve("m.onnx");
    OnnxExport.export(spec, Initializer.initialize(spec), Map.of(), out);
    byte[] before = Files.readAllBytes(out);
    assertThrows(IllegalArgumentException.class,
        () -> OnnxExport.export(spec, Initializer.initialize(spec), Map.of(), 23, out));
    assertThrows(WeightSet.WeightMismatchException.class,
        () -> OnnxExport.export(spec, new WeightSet(Map.of()), Map.of(), out));
    assertArrayEquals(before, Files.readAllBytes(out));
    assertEquals(List.of("m.onnx"), listing(dir));
  }

  @Test
  void provenanceOfATrainingRunMatchesWhatItsCheckpointWouldCarry() throws IOException {
    CheckedSpec spec = TestSpecs.dense2d(true);
    WeightSet w = Initializer.initialize(spec);
    var p = new dev.rosetta.checkpoint.Provenance(
        "pytorch", Map.of("pytorch", "2.7.1", "djl", "0.36.0"), 42, 2, 300, Map.of("test_accuracy", 0.8));
    Path ckpt = dir.resolve("run.safetensors");
    dev.rosetta.checkpoint.Checkpoint.save(ckpt, spec, w, p);
    Map<String, String> fromCheckpoint =
        OnnxExport.provenanceFromCheckpoint(dev.rosetta.checkpoint.Checkpoint.load(ckpt, spec).metadata());
    assertEquals(fromCheckpoint, OnnxExport.provenance(p));
    assertEquals("{\"djl\":\"0.36.0\",\"pytorch\":\"2.7.1\"}", OnnxExport.provenance(p).get("versions"));
  }

  @Test
  void provenanceFromACheckpointKeepsWhatDescribesTheWeights() {
    Map<String, String> checkpoint = new LinkedHashMap<>();
    checkpoint.put("format", "rosetta-checkpoint/v1");
    checkpoint.put("spec_hash", "abc");
    checkpoint.put("backend", "pytorch");
    checkpoint.put("versions", "{}");
    checkpoint.put("seed", "42");
    checkpoint.put("step", "938");
    checkpoint.put("epoch", "1");
    assertEquals(
        Map.of("backend", "pytorch", "versions", "{}", "seed", "42", "step", "938", "epoch", "1"),
        OnnxExport.provenanceFromCheckpoint(checkpoint));
  }
}
