package dev.rosetta.tests.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.cli.Rosetta;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code rosetta} command end to end, in-process: outputs, files and exit codes. */
class CliTest {
  static final Path SEED = Path.of("../examples/seed-mlp.json");
  @TempDir Path dir;

  record Run(int code, String out, String err) {
    JsonNode json() throws IOException {
      List<String> lines = out.lines().toList();
      return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }
  }

  static Run rosetta(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Rosetta.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A small copy of the seed spec: fewer units, so CLI tests run in seconds. */
  Path smallSpec(String optimizer) throws IOException {
    Path p = smallSpec(dir);
    Files.writeString(p, Files.readString(p).replace("{\"type\": \"sgd\", \"learning_rate\": 0.01}", optimizer));
    return p;
  }

  /** The seed spec at 784-32-16-10 (25,818 parameters), written to {@code dir}/small.json. */
  static Path smallSpec(Path dir) throws IOException {
    String s = Files.readString(SEED).replace("\"units\": 128", "\"units\": 32").replace("\"units\": 64", "\"units\": 16");
    Path p = dir.resolve("small.json");
    Files.writeString(p, s);
    return p;
  }

  @Test
  void validateShowsShapesAndParameterCount() throws IOException {
    Run r = rosetta("validate", SEED.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("total parameters: 109,386"), r.out());
    assertEquals(109386, r.json().get("parameters").asInt());
    assertEquals(List.of(128, 128, 64, 64, 10), r.json().findValues("output_shape").stream().map(n -> n.get(0).asInt()).toList());
  }

  @Test
  void validateShowsWhatEachLayerOfAGraphReads() throws IOException {
    Run r = rosetta("validate", "../examples/resnet-mini.json", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("b2_down ") && l.endsWith("  b1_out")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("b2_sum ") && l.endsWith("  b2_bn2, b2_down_bn")), r.out());
    assertTrue(r.out().contains("(plus 672 running statistics)"), r.out());
    JsonNode sum = r.json().get("layers").findParents("name").stream().filter(n -> n.get("name").asText().equals("b2_sum")).findFirst().orElseThrow();
    assertEquals("[\"b2_bn2\",\"b2_down_bn\"]", sum.get("inputs").toString());
  }

  @Test
  void validateReportsErrorsWithPathsAndExits2() throws IOException {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, Files.readString(SEED).replace("\"units\": 64", "\"units\": -5").replace("\"relu2\"", "\"relu1\""));
    Run r = rosetta("validate", bad.toString(), "--json");
    assertEquals(2, r.code());
    assertTrue(r.out().contains("error: fc2.units must be > 0 (got -5) at $.layers[2].units"), r.out());
    assertTrue(r.out().contains("duplicate layer name 'relu1'"), r.out());
    assertEquals(2, r.json().get("errors").size());
    assertFalse(r.json().get("valid").asBoolean());
  }

  @Test
  void validateNamesTheLayerForBadVisionSpecs() throws IOException {
    String head = "{\"format\": \"rosetta/v1\", \"input\": {\"shape\": [1, 8, 8]}, \"loss\": {\"type\": \"mse\"},"
        + " \"optimizer\": {\"type\": \"sgd\", \"learning_rate\": 0.1}, \"layers\": [";
    String[][] cases = {
      {"{\"type\": \"conv2d\", \"name\": \"big\", \"filters\": 2, \"kernel\": 9}",
          "big: kernel [9, 9] (extent [9, 9] with dilation) is larger than the padded input [8, 8]", "$.layers[0].kernel"},
      {"{\"type\": \"conv2d\", \"name\": \"neg\", \"filters\": 2, \"kernel\": 3, \"padding\": -1}",
          "neg.padding must be >= 0", "$.layers[0].padding"},
      {"{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 4, \"kernel\": 3, \"padding\": 1},"
          + " {\"type\": \"add\", \"name\": \"res\", \"inputs\": [\"c\", \"input\"]}",
          "shape mismatch at add 'res': 'c' gives [4, 8, 8] but 'input' gives [1, 8, 8]", "$.layers[1].inputs[1]"},
      {"{\"type\": \"relu\", \"name\": \"a\", \"inputs\": [\"b\"]}, {\"type\": \"relu\", \"name\": \"b\"}",
          "inputs form a cycle: 'a' reads 'b' reads 'a'", "$.layers[0].inputs[0]"},
    };
    for (String[] c : cases) {
      Path spec = dir.resolve("bad-vision.json");
      Files.writeString(spec, head + c[0] + "]}");
      Run r = rosetta("validate", spec.toString());
      assertEquals(2, r.code(), r.out() + r.err());
      assertTrue(r.out().contains(c[1]) && r.out().contains(c[2]), c[1] + " at " + c[2] + " in:\n" + r.out());
    }
  }

  @Test
  void validateWarnsAboutTheFoundingTextsTensorflowMistake() {
    Run r = rosetta("validate", "../examples/seed-mlp-tf-mistake.json");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("warning: layer 'probs' applies softmax before cross_entropy"), r.out());
  }

  @Test
  void usageErrorsAndBadInputExit2() {
    assertEquals(2, rosetta("train").code());
    assertEquals(2, rosetta("frobnicate").code());
    Run missing = rosetta("train", "no-such.json", "--backend", "pytorch");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("spec file not found: no-such.json"), missing.err());
    Run backend = rosetta("train", SEED.toString(), "--backend", "jax");
    assertEquals(2, backend.code());
    assertTrue(backend.err().contains("unknown backend 'jax'"), backend.err());
    Run data = rosetta("train", SEED.toString(), "--backend", "pytorch", "--data", dir.resolve("nope").toString(), "--out", dir.resolve("o").toString());
    assertEquals(2, data.code());
    assertTrue(data.err().contains("data not found"), data.err());
    assertFalse(Files.exists(dir.resolve("o")), "nothing is written for bad input");
  }

  @Test
  void trainWritesCheckpointMetricsAndSpecThenEvalAgrees() throws IOException {
    Path spec = smallSpec("{\"type\": \"adam\", \"learning_rate\": 0.003}");
    Path out = dir.resolve("run");
    Run t = rosetta("train", spec.toString(), "--backend", "pytorch", "--epochs", "2", "--out", out.toString(), "--save-init", "--json");
    assertEquals(0, t.code(), t.err());
    JsonNode j = t.json();
    assertEquals("pytorch", j.get("backend").asText());
    assertEquals(2, j.get("epochs").asInt());
    assertEquals(188, j.get("steps").asInt()); // 2 * ceil(6000 / 64)
    assertTrue(j.get("test_accuracy").asDouble() > 0.7, j.toString());
    assertTrue(j.get("samples_per_second").asDouble() > 0);
    assertTrue(Files.exists(out.resolve("checkpoint.safetensors")));
    assertTrue(Files.exists(out.resolve("init.safetensors")));
    assertTrue(Files.readString(out.resolve("spec.json")).contains("\"epochs\" : 2"));
    List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(188 + 2, metrics.size());
    assertTrue(metrics.get(0).startsWith("{\"epoch\":1,\"step\":1,\"loss\":"), metrics.get(0));

    Run e = rosetta("eval", spec.toString(), "--weights", out.resolve("checkpoint.safetensors").toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertEquals(j.get("test_accuracy").asDouble(), e.json().get("accuracy").asDouble(), 1e-9);
    assertEquals(1000, e.json().get("samples").asInt());

    Run p = rosetta("predict", spec.toString(), "--weights", out.resolve("checkpoint.safetensors").toString(), "--count", "3", "--json");
    assertEquals(0, p.code(), p.err());
    assertEquals(3, p.json().get("predictions").size());
    assertEquals(9, p.json().get("predictions").get(0).get("label").asInt());
  }

  @Test
  void sameSeedTwiceGivesBitIdenticalCheckpoints() throws IOException {
    Path spec = smallSpec("{\"type\": \"sgd\", \"learning_rate\": 0.05, \"momentum\": 0.9}");
    for (String run : new String[] {"a", "b"}) {
      assertEquals(0, rosetta("train", spec.toString(), "--backend", "pytorch", "--epochs", "1", "--out", dir.resolve(run).toString()).code());
    }
    assertArrayEquals(Files.readAllBytes(dir.resolve("a/checkpoint.safetensors")), Files.readAllBytes(dir.resolve("b/checkpoint.safetensors")));
  }

  @Test
  void evalRejectsAWrongCheckpointClearly() throws IOException {
    Path spec = smallSpec("{\"type\": \"sgd\", \"learning_rate\": 0.01}");
    Path out = dir.resolve("run");
    assertEquals(0, rosetta("train", spec.toString(), "--backend", "pytorch", "--epochs", "1", "--out", out.toString()).code());
    Run r = rosetta("eval", SEED.toString(), "--weights", out.resolve("checkpoint.safetensors").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("tensor 'fc1.weight' has shape [32, 784] but the spec needs [128, 784]"), r.err());
  }

  @Test
  void divergenceExits1AndKeepsTheLastGoodCheckpoint() throws IOException {
    // A linear model on MSE with a learning rate just past stable: the loss grows geometrically
    // and overflows after a couple of epochs, so at least one good epoch is saved first.
    Path spec = dir.resolve("diverge.json");
    Files.writeString(spec, """
        {"format": "rosetta/v1", "name": "diverge", "input": {"shape": [784]},
         "layers": [{"type": "dense", "name": "fc", "units": 10}],
         "loss": {"type": "mse"}, "optimizer": {"type": "sgd", "learning_rate": 0.1},
         "training": {"epochs": 6, "batch_size": 64, "seed": 1, "shuffle": true}}
        """);
    Path out = dir.resolve("run");
    Run r = rosetta("train", spec.toString(), "--backend", "pytorch", "--out", out.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("training diverged: loss is"), r.err());
    assertTrue(r.err().contains("the last good checkpoint (epoch "), r.err());
    Run e = rosetta("eval", spec.toString(), "--weights", out.resolve("checkpoint.safetensors").toString(), "--json");
    assertEquals(0, e.code(), e.err());
    assertTrue(Double.isFinite(e.json().get("loss").asDouble()), "the kept checkpoint is a finite model");
  }

  @Test
  void benchReportsThroughputAndMemory() throws IOException {
    Run r = rosetta("bench", smallSpec("{\"type\": \"sgd\", \"learning_rate\": 0.01}").toString(), "--backend", "pytorch",
        "--steps", "50", "--warmup", "5", "--epochs", "2", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.json().get("samples_per_second").asDouble() > 0);
    assertEquals(6, r.json().get("window_samples_per_second").size(), "50 timed steps in six windows");
    assertTrue(r.out().contains("for 3,200 samples; 6 windows: min "), r.out());
    assertEquals(2, r.json().get("rss_mb_by_epoch").size());
    assertTrue(r.json().get("peak_rss_mb").asDouble() > 50);
  }

  @Test
  void benchTimesTheHandWrittenDjlLoopOnRequest() throws IOException {
    Run r = rosetta("bench", smallSpec("{\"type\": \"sgd\", \"learning_rate\": 0.01}").toString(), "--backend", "pytorch",
        "--steps", "24", "--warmup", "3", "--reference", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("hand-written DJL loop: "), r.out());
    assertTrue(r.json().get("reference_samples_per_second").asDouble() > 0, r.out());
    assertTrue(r.json().get("samples_per_second").asDouble() > 0, r.out());

    Run adam = rosetta("bench", smallSpec("{\"type\": \"adam\", \"learning_rate\": 0.001}").toString(), "--backend", "pytorch", "--reference");
    assertEquals(2, adam.code(), adam.err());
    assertTrue(adam.err().contains("small.json: --reference cannot time this spec: optimizer is not plain sgd"), adam.err());
    Run tf = rosetta("bench", smallSpec("{\"type\": \"sgd\", \"learning_rate\": 0.01}").toString(), "--backend", "tensorflow",
        "--steps", "24", "--warmup", "3", "--reference", "--json");
    assertEquals(0, tf.code(), tf.err());
    assertTrue(tf.out().contains("hand-written TensorFlow Java loop: "), tf.out());
    assertTrue(tf.json().get("reference_samples_per_second").asDouble() > 0, tf.out());
  }
}
