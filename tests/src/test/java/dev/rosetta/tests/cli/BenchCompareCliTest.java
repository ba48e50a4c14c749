package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.tests.cli.CliTest.Run;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rosetta bench --compare}: the side-by-side benchmark works without Python (those rows
 * say why they are missing), times the hand-written loops beside Rosetta, reads what
 * plain_bench.py prints, and takes each ratio within a round.
 */
class BenchCompareCliTest {
  @TempDir Path dir;

  private Path smallSpec() throws IOException {
    String s = Files.readString(CliTest.SEED).replace("\"units\": 128", "\"units\": 32").replace("\"units\": 64", "\"units\": 16");
    Path p = dir.resolve("small.json");
    Files.writeString(p, s);
    return p;
  }

  private static JsonNode contender(JsonNode j, String label) {
    for (JsonNode c : j.get("contenders")) {
      if (c.get("label").asText().equals(label)) {
        return c;
      }
    }
    throw new AssertionError("no contender " + label + " in " + j);
  }

  private static List<String> ratios(JsonNode j) {
    List<String> out = new ArrayList<>();
    j.get("ratios").forEach(r -> out.add(r.get("ratio").asText()));
    return out;
  }

  @Test
  void withoutPythonThePlainFrameworkRowsSayWhyAndTheJavaRowsRun() throws IOException {
    Path chart = dir.resolve("compare.png");
    Run r = rosetta("bench", smallSpec().toString(), "--compare", "--rounds", "2", "--seconds", "0.3", "--warmup", "2",
        "--python", dir.resolve("no-such-python").toString(), "--chart", chart.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = r.json();
    for (String label : List.of("rosetta-pytorch", "djl-loop", "rosetta-tensorflow", "tf-java-loop")) {
      JsonNode c = contender(j, label);
      assertTrue(c.get("available").asBoolean(), label);
      assertEquals(2, c.get("samples_per_second_by_round").size(), label + ": one figure per round");
      assertEquals(6, c.get("window_samples_per_second_by_round").get(0).size(), label + ": six windows a round");
    }
    for (String label : List.of("torch (1 thread)", "torch (2 threads)", "keras-fit", "tf-function")) {
      JsonNode c = contender(j, label);
      assertFalse(c.get("available").asBoolean(), label);
      assertTrue(c.get("reason").asText().contains("no-such-python is not an executable Python (give --python PATH or set ROSETTA_PYTHON)"),
          c.toString());
    }
    assertTrue(r.out().contains("torch (1 thread)                 1             -  not available: "), r.out());
    assertEquals(List.of("PyTorch backend / hand-written DJL loop", "TensorFlow backend / hand-written TF Java loop",
        "TensorFlow backend / PyTorch backend"), ratios(j), "no ratio against a framework that did not run");
    BufferedImage png = ImageIO.read(chart.toFile());
    assertNotNull(png, "the chart is a PNG");
    assertEquals(800, png.getWidth());
  }

  /**
   * A stand-in for Python that answers every plain_bench.py call with the same figures: the
   * command reads them as a plain framework's and computes each ratio against them.
   */
  @Test
  void readsWhatPlainBenchPrintsAndTakesRatiosWithinEachRound() throws IOException {
    Path fake = dir.resolve("python");
    Files.writeString(fake, "#!/bin/sh\necho 'torch infer: figures follow' >&2\n"
        + "echo '{\"samples_per_second\": 1000.0, \"window_samples_per_second\": [1000, 1000, 1000, 1000, 1000, 1000],"
        + " \"latency_p50_ms\": 40.0, \"latency_p99_ms\": 50.0}'\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run r = rosetta("bench", smallSpec().toString(), "--compare", "--inference", "--rounds", "1", "--seconds", "0.3",
        "--warmup", "5", "--torch-threads", "1", "--python", fake.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = r.json();
    JsonNode torch = contender(j, "torch");
    assertTrue(torch.get("available").asBoolean(), torch.toString());
    assertEquals(1000.0, torch.get("samples_per_second").asDouble());
    assertEquals(40.0, torch.get("p50_ms").asDouble());
    JsonNode pytorch = contender(j, "rosetta-pytorch");
    JsonNode ort = contender(j, "onnxruntime");
    assertTrue(ort.get("available").asBoolean(), ort.toString());
    for (JsonNode ratio : j.get("ratios")) {
      if (ratio.get("ratio").asText().equals("PyTorch backend / plain torch, batch 256")) {
        assertEquals(pytorch.get("samples_per_second").asDouble() / 1000.0, ratio.get("median").asDouble(), 1e-9);
        assertTrue(ratio.get("met").asBoolean());
      }
      if (ratio.get("ratio").asText().equals("PyTorch backend / plain torch, batch-1 p50")) {
        assertEquals(40.0 / pytorch.get("p50_ms").asDouble(), ratio.get("median").asDouble(), 1e-9);
      }
    }
    assertTrue(ratios(j).contains("PyTorch backend / ONNX Runtime, batch-1 p50"), ratios(j).toString());
    assertTrue(r.out().contains("PyTorch backend / plain torch, batch 256"), r.out());
  }
}
