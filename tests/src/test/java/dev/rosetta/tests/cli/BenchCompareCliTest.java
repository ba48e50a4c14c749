package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tests.cli.CliTest.Run;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Safetensors;
import dev.rosetta.weights.WeightSet;
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
 * plain_bench.py prints, and takes each ratio within a round; a spec reading token ids is
 * compared in training against plain PyTorch, in tokens/s too.
 */
class BenchCompareCliTest {
  @TempDir Path dir;

  private Path smallSpec() throws IOException {
    return CliTest.smallSpec(dir);
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
    for (String label : List.of("torch (1 thread)", "torch (2 threads)", "keras-fit (1 thread)", "keras-fit (2 threads)",
        "tf-function (1 thread)", "tf-function (2 threads)")) {
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
   * With --backend, only that backend's Rosetta row and hand-written loop share the process;
   * plain PyTorch stays (every backend's reference), Keras and tf.function only with TensorFlow.
   */
  @Test
  void oneBackendAloneInTheProcess() throws IOException {
    for (String backend : List.of("pytorch", "tensorflow")) {
      Run r = rosetta("bench", smallSpec().toString(), "--compare", "--backend", backend, "--rounds", "1", "--seconds", "0.2",
          "--warmup", "2", "--python", dir.resolve("no-such-python").toString(), "--json");
      assertEquals(0, r.code(), r.err());
      List<String> labels = new ArrayList<>();
      r.json().get("contenders").forEach(c -> labels.add(c.get("label").asText()));
      assertEquals(backend.equals("pytorch")
          ? List.of("rosetta-pytorch", "djl-loop", "torch (1 thread)", "torch (2 threads)")
          : List.of("rosetta-tensorflow", "tf-java-loop", "torch (1 thread)", "torch (2 threads)", "keras-fit (1 thread)",
              "keras-fit (2 threads)", "tf-function (1 thread)", "tf-function (2 threads)"),
          labels, backend);
    }
  }

  /**
   * Keras and tf.function run at each --keras-threads count, and TensorFlow's ratio is taken
   * against the best of them: a stand-in Python answers twice as fast on two threads.
   */
  @Test
  void kerasRunsAtEachThreadCountAndTheBestIsTheReference() throws IOException {
    Path fake = dir.resolve("python");
    Files.writeString(fake, "#!/bin/sh\ncase \"$*\" in *'--threads 2'*) r=2000;; *) r=1000;; esac\n"
        + "echo \"{\\\"samples_per_second\\\": $r, \\\"window_samples_per_second\\\": [$r, $r, $r, $r, $r, $r]}\"\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Run r = rosetta("bench", smallSpec().toString(), "--compare", "--backend", "tensorflow", "--rounds", "1", "--seconds", "0.2",
        "--warmup", "2", "--torch-threads", "1", "--keras-threads", "1,2", "--python", fake.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = r.json();
    assertEquals(2000.0, contender(j, "keras-fit (2 threads)").get("samples_per_second").asDouble());
    assertEquals(1000.0, contender(j, "tf-function (1 thread)").get("samples_per_second").asDouble());
    double tensorflow = contender(j, "rosetta-tensorflow").get("samples_per_second").asDouble();
    boolean seen = false;
    for (JsonNode ratio : j.get("ratios")) {
      if (ratio.get("ratio").asText().equals("TensorFlow backend / best of keras-fit, tf-function")) {
        assertEquals(tensorflow / 2000.0, ratio.get("median").asDouble(), 1e-9);
        seen = true;
      }
    }
    assertTrue(seen, ratios(j).toString());
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

  private Path tokenSpec() throws IOException {
    return Files.writeString(dir.resolve("tiny-char.json"), SequenceCliTest.SPEC);
  }

  @Test
  void aTokenSpecRunsBothBackendsInTokensPerSecondAndWithoutPythonTheTorchRowSaysWhy() throws IOException {
    Path text = SequenceCliTest.writeText(dir.resolve("text.txt"));
    Run r = rosetta("bench", tokenSpec().toString(), "--compare", "--data", text.toString(), "--rounds", "1", "--seconds", "0.3",
        "--warmup", "2", "--python", dir.resolve("no-such-python").toString(), "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(16, j.get("sequence_length").asInt());
    for (String label : List.of("rosetta-pytorch", "rosetta-tensorflow")) {
      JsonNode c = contender(j, label);
      assertTrue(c.get("available").asBoolean(), label);
      double samples = c.get("samples_per_second").asDouble();
      assertTrue(samples > 0, c.toString());
      assertEquals(16 * samples, c.get("tokens_per_second").asDouble(), 1e-6 * samples, label + ": 16 tokens a sample");
    }
    for (String label : List.of("torch (1 thread)", "torch (2 threads)")) {
      JsonNode torch = contender(j, label);
      assertFalse(torch.get("available").asBoolean());
      assertTrue(torch.get("reason").asText().contains("no-such-python is not an executable Python"), torch.toString());
    }
    List<String> labels = new ArrayList<>();
    j.get("contenders").forEach(c -> labels.add(c.get("label").asText()));
    assertEquals(List.of("rosetta-pytorch", "torch (1 thread)", "torch (2 threads)", "rosetta-tensorflow"), labels,
        "plain torch at 1 and 2 threads as for every spec; no hand-written loops or Keras: they have no embedding or attention");
    assertTrue(r.out().contains("batch 16 sequences of 16 tokens"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("contender +threads +samples/s +tokens/s +rounds \\(samples/s\\).*")), r.out());
    assertTrue(r.out().contains("torch (1 thread)                 1             -             -  not available: "), r.out());
  }

  /**
   * A stand-in for Python that keeps what it was given: plain_bench.py is asked for torch
   * training on the text, from a checkpoint of Rosetta's initial weights; its samples/s become
   * tokens/s and the ratios against plain torch.
   */
  @Test
  void aTokenSpecHandsPlainBenchTheTextAndRosettasInitialWeights() throws IOException {
    Path text = SequenceCliTest.writeText(dir.resolve("text.txt"));
    Path args = dir.resolve("args.txt");
    Path init = dir.resolve("init-seen.safetensors");
    Path fake = dir.resolve("python");
    Files.writeString(fake, "#!/bin/sh\necho \"$@\" >> '" + args + "'\n"
        + "while [ $# -gt 1 ]; do [ \"$1\" = --init ] && cp \"$2\" '" + init + "'; shift; done\n"
        + "echo '{\"samples_per_second\": 100.0, \"window_samples_per_second\": [100, 100, 100, 100, 100, 100]}'\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path spec = tokenSpec();
    Run r = rosetta("bench", spec.toString(), "--compare", "--data", text.toString(), "--rounds", "1", "--seconds", "0.3",
        "--warmup", "2", "--torch-threads", "1", "--python", fake.toString(), "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    List<String> calls = Files.readAllLines(args).stream().filter(l -> l.contains("plain_bench.py")).toList();
    assertEquals(1, calls.size(), calls.toString());
    String call = calls.get(0);
    for (String part : List.of("--framework torch ", "--data " + text.toAbsolutePath() + " ", "--threads 1 ", "--mode train ")) {
      assertTrue(call.contains(part), part + " in " + call);
    }
    WeightSet seen = Safetensors.read(init).weights();
    WeightSet rosettas = Initializer.initialize(SpecJson.read(spec));
    assertEquals(rosettas.tensors().keySet(), seen.tensors().keySet());
    rosettas.tensors().forEach((name, t) -> assertArrayEquals(t.data(), seen.tensors().get(name).data(), name));

    JsonNode j = r.json();
    JsonNode torch = contender(j, "torch");
    assertEquals(1600.0, torch.get("tokens_per_second").asDouble());
    double pytorch = contender(j, "rosetta-pytorch").get("samples_per_second").asDouble();
    double tensorflow = contender(j, "rosetta-tensorflow").get("samples_per_second").asDouble();
    for (JsonNode ratio : j.get("ratios")) {
      switch (ratio.get("ratio").asText()) {
        case "PyTorch backend / plain torch (best thread count)" -> assertEquals(pytorch / 100, ratio.get("median").asDouble(), 1e-9);
        case "TensorFlow backend / plain torch (best thread count)" -> assertEquals(tensorflow / 100, ratio.get("median").asDouble(), 1e-9);
        default -> { }
      }
    }
    assertTrue(ratios(j).containsAll(List.of("PyTorch backend / plain torch (best thread count)",
        "TensorFlow backend / plain torch (best thread count)")), ratios(j).toString());
  }

  @Test
  void inferenceAndSweepOnATokenSpecAreRefusedWithExit2() throws IOException {
    Path text = SequenceCliTest.writeText(dir.resolve("text.txt"));
    String spec = tokenSpec().toString();
    for (List<String> mode : List.of(List.of("--inference"), List.of("--compare", "--inference"), List.of("--sweep"))) {
      List<String> args = new ArrayList<>(List.of("bench", spec, "--data", text.toString()));
      args.addAll(mode);
      Run r = rosetta(args.toArray(String[]::new));
      assertEquals(2, r.code(), mode + ": " + r.out() + r.err());
      assertTrue(r.err().contains("times float inputs; for a model reading token ids, time training"), r.err());
    }
  }
}
