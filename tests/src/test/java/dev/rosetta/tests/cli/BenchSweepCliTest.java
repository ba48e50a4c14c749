package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.backend.ThreadPolicy;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tests.cli.CliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rosetta bench --sweep}: one point per backend, width and batch size, each with the
 * widened model's parameter count and the threads its calls ran on; with {@code --inference},
 * predict calls on each backend's inference face and in ONNX Runtime.
 */
class BenchSweepCliTest {
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  @TempDir Path dir;

  private Path smallSpec() throws IOException {
    return CliTest.smallSpec(dir);
  }

  private static List<String> points(JsonNode j) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : j.get("points")) {
      out.add(p.get("backend").asText() + " " + p.get("width").asInt() + "x " + p.get("batch_size").asInt());
    }
    return out;
  }

  @Test
  void trainingSweepTimesEachWidthAndBatchOnItsThreads() throws IOException {
    Path spec = smallSpec();
    CheckedSpec small = SpecJson.read(spec);
    Path chart = dir.resolve("sweep.png");
    Run r = rosetta("bench", spec.toString(), "--sweep", "--backend", "pytorch", "--batch-sizes", "4,16", "--widths", "1,2",
        "--seconds", "0.2", "--warmup", "1", "--chart", chart.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = r.json();
    assertEquals("training", j.get("mode").asText());
    assertEquals(List.of("pytorch 1x 4", "pytorch 1x 16", "pytorch 2x 4", "pytorch 2x 16"), points(j));
    for (JsonNode p : j.get("points")) {
      assertEquals(p.get("width").asInt() == 1 ? 25_818 : 52_650, p.get("parameters").asLong(), p.toString());
      assertEquals(ThreadPolicy.PYTORCH.trainingThreads(small, p.get("batch_size").asInt(), CORES), p.get("threads").asInt(), p.toString());
      assertTrue(p.get("samples_per_second").asDouble() > 0, p.toString());
      assertTrue(p.get("peak_rss_mb").asDouble() > 0, p.toString());
      assertTrue(p.get("p50_ms") == null, "no call latency in a training sweep");
    }
    assertNotNull(ImageIO.read(chart.toFile()));
  }

  @Test
  void inferenceSweepTimesPredictCallsOnEveryBackendAndOnnxRuntime() throws IOException {
    Path spec = smallSpec();
    CheckedSpec small = SpecJson.read(spec);
    Run r = rosetta("bench", spec.toString(), "--sweep", "--inference", "--batch-sizes", "1,16", "--widths", "1",
        "--seconds", "0.2", "--warmup", "2", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = r.json();
    assertEquals("inference", j.get("mode").asText());
    assertEquals(List.of("pytorch 1x 1", "tensorflow 1x 1", "onnxruntime 1x 1", "pytorch 1x 16", "tensorflow 1x 16",
        "onnxruntime 1x 16"), points(j));
    for (JsonNode p : j.get("points")) {
      int batch = p.get("batch_size").asInt();
      int threads = switch (p.get("backend").asText()) {
        case "pytorch" -> ThreadPolicy.PYTORCH.inferenceThreads(small, batch, CORES);
        case "tensorflow" -> ThreadPolicy.TENSORFLOW.inferenceThreads(small, batch, CORES);
        default -> 0;
      };
      assertEquals(threads, p.get("threads").asInt(), p.toString());
      assertTrue(p.get("samples_per_second").asDouble() > 0, p.toString());
      double p50 = p.get("p50_ms").asDouble();
      assertTrue(p50 > 0 && p50 <= p.get("p99_ms").asDouble(), p.toString());
    }
    assertTrue(r.out().contains("call p50 ms"), r.out());
  }

  @Test
  void inferenceSweepRefusesThreadsWithExit2() throws IOException {
    Run r = rosetta("bench", smallSpec().toString(), "--sweep", "--inference", "--threads", "2");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("-Dai.djl.pytorch.num_threads=N"), r.err());
  }
}
