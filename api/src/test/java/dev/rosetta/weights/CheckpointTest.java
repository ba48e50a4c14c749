package dev.rosetta.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.Provenance;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  static CheckedSpec spec(int hidden) {
    return ModelSpec.builder().optName("m").setInput(6).dense("fc1", hidden).relu("r").dense("fc2", 3)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }

  static Provenance provenance() {
    return new Provenance("pytorch", Map.of("djl", "0.36.0"), 42, 3, 120, Map.of("test_accuracy", 0.5));
  }

  @Test
  void roundTripKeepsEveryBitAndTheMetadata() throws IOException {
    CheckedSpec s = spec(4);
    WeightSet w = Initializer.initialize(s);
    Path f = dir.resolve("c.safetensors");
    Checkpoint.save(f, s, w, provenance());
    Checkpoint.Loaded l = Checkpoint.load(f, s);
    assertEquals(w, l.weights());
    assertEquals(SpecJson.hash(s), l.metadata().get("spec_hash"));
    assertEquals("pytorch", l.backend());
    assertEquals(120, l.step());
    assertEquals("3", l.metadata().get("epoch"));
    assertEquals("{\"test_accuracy\":0.5}", l.metadata().get("metrics"));
  }

  @Test
  void sameContentGivesByteIdenticalFiles() throws IOException {
    CheckedSpec s = spec(4);
    Checkpoint.save(dir.resolve("a"), s, Initializer.initialize(s), provenance());
    Checkpoint.save(dir.resolve("b"), s, Initializer.initialize(s), provenance());
    assertArrayEquals(Files.readAllBytes(dir.resolve("a")), Files.readAllBytes(dir.resolve("b")));
  }

  @Test
  void fileFollowsTheSafetensorsLayout() throws IOException {
    CheckedSpec s = spec(4);
    WeightSet w = Initializer.initialize(s);
    Path f = dir.resolve("c.safetensors");
    Checkpoint.save(f, s, w, provenance());
    byte[] b = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, (8 + n) % 8, "data is 8-byte aligned");
    String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.contains("\"fc1.weight\":{\"dtype\":\"F32\",\"shape\":[4,6],\"data_offsets\":[0,96]}"), header);
    float first = ByteBuffer.wrap(b, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    assertEquals(w.get("fc1.weight").data()[0], first);
    assertEquals(8 + n + 4L * (24 + 4 + 12 + 3), b.length);
  }

  @Test
  void mismatchedSpecListsEveryDifference() throws IOException {
    Path f = dir.resolve("c.safetensors");
    Checkpoint.save(f, spec(4), Initializer.initialize(spec(4)), provenance());
    CheckedSpec other = ModelSpec.builder().optName("other").setInput(6).dense("fc1", 5).relu("r").dense("head", 3)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    var e = assertThrows(WeightSet.WeightMismatchException.class, () -> Checkpoint.load(f, other));
    String m = e.getMessage();
    assertTrue(m.contains("tensor 'fc1.weight' has shape [4, 6] but the spec needs [5, 6]"), m);
    assertTrue(m.contains("tensor 'fc1.bias' has shape [4] but the spec needs [5]"), m);
    assertTrue(m.contains("missing tensor 'head.weight' of shape [3, 5]"), m);
    assertTrue(m.contains("unexpected tensor 'fc2.weight'"), m);
  }

  @Test
  void truncatedAndForeignFilesAreClearErrors() throws IOException {
    CheckedSpec s = spec(4);
    Path f = dir.resolve("c.safetensors");
    Checkpoint.save(f, s, Initializer.initialize(s), provenance());
    byte[] b = Files.readAllBytes(f);
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, Arrays.copyOf(b, b.length - 10));
    IOException e = assertThrows(IOException.class, () -> Checkpoint.load(cut, s));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "this is not a checkpoint at all");
    e = assertThrows(IOException.class, () -> Checkpoint.load(text, s));
    assertTrue(e.getMessage().contains("not a readable safetensors file"), e.getMessage());
    e = assertThrows(IOException.class, () -> Checkpoint.load(dir.resolve("missing.safetensors"), s));
    assertTrue(e.getMessage().contains("checkpoint not found"), e.getMessage());
  }

  @Test
  void aFailedWriteLeavesTheOldFileAndNoTemporaries() throws IOException {
    CheckedSpec s = spec(4);
    Path f = dir.resolve("c.safetensors");
    Checkpoint.save(f, s, Initializer.initialize(s), provenance());
    byte[] before = Files.readAllBytes(f);
    assertThrows(IOException.class, () ->
        dev.rosetta.io.AtomicFile.write(f, out -> {
          out.write(new byte[100]);
          throw new IOException("disk full");
        }));
    assertArrayEquals(before, Files.readAllBytes(f));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count());
    }
  }
}
