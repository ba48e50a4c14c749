package dev.rosetta.tests.controls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.cli.Rosetta;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exact resume: a run of 4 epochs and a run of 2 epochs resumed for 2 more write the same
 * bytes, on each backend, for SGD with momentum, Adam under a cosine schedule, and a conv net
 * with batch norm and dropout; a run killed with SIGKILL mid-epoch resumes from its last
 * finished epoch to the same bytes; a run resumes on the other backend within the contract.
 */
class ResumeTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run rosetta(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Rosetta.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  static final String MLP = """
      {"format": "rosetta/v1", "name": "%s", "input": {"shape": [784]},
       "layers": [{"type": "dense", "name": "fc1", "units": 32}, {"type": "relu", "name": "relu1"},
                  {"type": "dense", "name": "fc2", "units": 10}],
       "loss": {"type": "cross_entropy"}, "optimizer": %s,
       "training": {"epochs": 4, "batch_size": 64, "seed": 7, "shuffle": true %s}}
      """;

  static final String CONV = """
      {"format": "rosetta/v1", "name": "bn-dropout", "input": {"shape": [1, 28, 28]},
       "layers": [{"type": "conv2d", "name": "conv1", "filters": 4, "kernel": 3, "bias": false},
                  {"type": "batch_norm", "name": "bn1"}, {"type": "relu", "name": "relu1"},
                  {"type": "max_pool2d", "name": "pool1", "kernel": 2},
                  {"type": "dropout", "name": "drop1", "rate": 0.25}, {"type": "flatten", "name": "flat"},
                  {"type": "dense", "name": "fc1", "units": 10}],
       "loss": {"type": "cross_entropy"}, "optimizer": {"type": "sgd", "learning_rate": 0.05, "momentum": 0.9},
       "training": {"epochs": 4, "batch_size": 64, "seed": 7, "shuffle": true}}
      """;

  Path spec(String kind) throws IOException {
    String json = switch (kind) {
      case "sgd-momentum" -> String.format(MLP, kind, "{\"type\": \"sgd\", \"learning_rate\": 0.05, \"momentum\": 0.9}", "");
      case "adam-cosine" -> String.format(MLP, kind, "{\"type\": \"adam\", \"learning_rate\": 0.003}",
          ", \"lr_schedule\": {\"type\": \"cosine\", \"warmup_steps\": 10, \"min_lr\": 0.0001}");
      case "bn-dropout" -> CONV;
      default -> throw new IllegalArgumentException(kind);
    };
    Path p = dir.resolve(kind + ".json");
    Files.writeString(p, json);
    return p;
  }

  static void ok(Run r) {
    assertEquals(0, r.code(), r.out() + r.err());
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({"sgd-momentum, pytorch", "sgd-momentum, tensorflow", "adam-cosine, pytorch", "adam-cosine, tensorflow",
      "bn-dropout, pytorch", "bn-dropout, tensorflow"})
  void twoPlusTwoEpochsAreBitIdenticalToFour(String kind, String backend) throws IOException {
    Path spec = spec(kind);
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");
    ok(rosetta("train", spec.toString(), "--backend", backend, "--train-samples", "640", "--out", straight.toString()));
    ok(rosetta("train", spec.toString(), "--backend", backend, "--train-samples", "640", "--epochs", "2", "--out", resumed.toString()));
    assertEquals(2, Checkpoint.read(resumed.resolve("checkpoint.safetensors")).epoch());
    Run r = rosetta("train", spec.toString(), "--backend", backend, "--resume", resumed.toString(), "--epochs", "4");
    ok(r);
    assertTrue(r.out().contains("resuming " + resumed + " after epoch 2 (step 20)"), r.out());
    assertArrayEquals(Files.readAllBytes(straight.resolve("checkpoint.safetensors")),
        Files.readAllBytes(resumed.resolve("checkpoint.safetensors")), kind + " on " + backend);
    // The logs continue where they stopped: history.csv (no timings in it) is the same file.
    assertEquals(Files.readAllLines(straight.resolve("history.csv")), Files.readAllLines(resumed.resolve("history.csv")));
    if (kind.equals("adam-cosine")) {
      List<String> rows = Files.readAllLines(straight.resolve("history.csv"));
      double lr1 = Double.parseDouble(rows.get(1).substring(rows.get(1).lastIndexOf(',') + 1));
      double lr4 = Double.parseDouble(rows.get(4).substring(rows.get(4).lastIndexOf(',') + 1));
      assertTrue(lr4 < lr1 / 10, "the cosine schedule is logged as it decays: " + rows);
    }
  }

  @Test
  void aRunKilledMidEpochResumesFromItsLastCheckpointToTheSameBytes() throws Exception {
    Path spec = spec("sgd-momentum");
    Path straight = dir.resolve("straight");
    Path killed = dir.resolve("killed");
    String[] common = {"train", spec.toString(), "--backend", "pytorch", "--epochs", "8"};
    ok(rosetta(concat(common, "--out", straight.toString())));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(concat(new String[] {java, "-Xmx1g", "-Dai.djl.offline=true", "-cp",
        System.getProperty("java.class.path"), "dev.rosetta.cli.Rosetta"}, concat(common, "--out", killed.toString())))
        .redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
    Path checkpoint = killed.resolve("checkpoint.safetensors");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    // Kill as soon as the first checkpoint is in place: the next epoch is under way.
    while (!Files.isRegularFile(checkpoint)) {
      assertTrue(p.isAlive(), () -> "the run ended before it could be killed: " + read(dir.resolve("killed.log")));
      assertTrue(System.nanoTime() < deadline, "no epoch finished in 120 s");
      Thread.sleep(10);
    }
    p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    int saved = Checkpoint.read(killed.resolve("checkpoint.safetensors")).epoch();
    assertTrue(saved >= 1 && saved < 8, "killed after epoch " + saved);
    Run r = rosetta(concat(new String[] {"train", spec.toString(), "--backend", "pytorch", "--resume", killed.toString(),
        "--epochs", "8"}));
    ok(r);
    assertTrue(r.out().contains("after epoch " + saved), r.out());
    assertArrayEquals(Files.readAllBytes(straight.resolve("checkpoint.safetensors")),
        Files.readAllBytes(killed.resolve("checkpoint.safetensors")));
    assertEquals(Files.readAllLines(straight.resolve("history.csv")), Files.readAllLines(killed.resolve("history.csv")));
  }

  @Test
  void aPytorchRunResumesOnTensorflowWithinTheContract() throws IOException {
    Path spec = spec("adam-cosine");
    Path straight = dir.resolve("straight");
    Path crossed = dir.resolve("crossed");
    ok(rosetta("train", spec.toString(), "--backend", "pytorch", "--train-samples", "640", "--out", straight.toString()));
    ok(rosetta("train", spec.toString(), "--backend", "pytorch", "--train-samples", "640", "--epochs", "2", "--out", crossed.toString()));
    Run r = rosetta("train", spec.toString(), "--backend", "tensorflow", "--resume", crossed.toString());
    ok(r);
    assertTrue(r.out().contains("of a pytorch run on tensorflow: the trajectories agree within the parity contract"), r.out());
    CheckedSpec s = SpecJson.read(spec);
    Checkpoint.Loaded a = Checkpoint.load(straight.resolve("checkpoint.safetensors"), s);
    Checkpoint.Loaded b = Checkpoint.load(crossed.resolve("checkpoint.safetensors"), s);
    assertEquals("tensorflow", b.backend());
    double rel = ParityRunner.relL2(a.weights(), b.weights());
    // 40 steps, 20 of them on the other backend: the contract's short-horizon bound.
    assertTrue(rel > 0 && rel < 1e-5, "weights relative L2 " + rel);
    assertEquals(a.optimizer().step(), b.optimizer().step());
  }

  @Test
  void resumingRefusesAnotherSpecAndCheckpointsWithoutState() throws IOException {
    Path spec = spec("sgd-momentum");
    Path run = dir.resolve("run");
    ok(rosetta("train", spec.toString(), "--backend", "pytorch", "--train-samples", "128", "--epochs", "1", "--out", run.toString()));
    Path other = dir.resolve("other.json");
    Files.writeString(other, Files.readString(spec).replace("\"momentum\": 0.9", "\"momentum\": 0.8"));
    Run r = rosetta("train", other.toString(), "--backend", "pytorch", "--resume", run.toString());
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains("the spec differs from the run's") && r.err().contains("\"momentum\" : 0.8"), r.err());
    Run w = rosetta("train", spec.toString(), "--backend", "pytorch", "--resume", run.toString(), "--data", "/nowhere");
    assertEquals(2, w.code());
    assertTrue(w.err().contains("the run started with the embedded subset"), w.err());
    // A checkpoint as earlier versions wrote it: weights only.
    CheckedSpec s = SpecJson.read(spec);
    Path ckpt = run.resolve("checkpoint.safetensors");
    Checkpoint.Loaded l = Checkpoint.load(ckpt, s);
    Checkpoint.save(ckpt, s, l.weights(), new dev.rosetta.checkpoint.Provenance("pytorch", java.util.Map.of(), 7, 1, 2, java.util.Map.of()));
    Run old = rosetta("train", spec.toString(), "--backend", "pytorch", "--resume", run.toString());
    assertEquals(2, old.code());
    assertTrue(old.err().contains("holds weights but no optimizer or training state"), old.err());
    // ...which still loads for evaluation.
    ok(rosetta("eval", spec.toString(), "--weights", ckpt.toString(), "--backend", "tensorflow"));
    Run done = rosetta("train", spec.toString(), "--backend", "pytorch", "--resume", dir.resolve("nothing").toString());
    assertEquals(2, done.code());
    assertTrue(done.err().contains("finished no epoch, so there is nothing to resume"), done.err());
  }

  @Test
  void checkpointsAndExportsGetThePermissionsOfAPlainWrite() throws IOException {
    Path spec = spec("sgd-momentum");
    Path run = dir.resolve("run");
    ok(rosetta("train", spec.toString(), "--backend", "pytorch", "--train-samples", "128", "--epochs", "1", "--out", run.toString()));
    ok(rosetta("export", spec.toString(), "--weights", run.resolve("checkpoint.safetensors").toString(), "--out",
        run.resolve("m.onnx").toString(), "--verify"));
    Path plain = run.resolve("plain");
    Files.writeString(plain, "x");
    var want = Files.getPosixFilePermissions(plain);
    for (String f : new String[] {"checkpoint.safetensors", "spec.json", "run.json", "m.onnx"}) {
      assertEquals(want, Files.getPosixFilePermissions(run.resolve(f)), f);
    }
    try (var files = Files.list(run)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".")), "no temporary file left behind");
    }
  }

  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  void theCheckpointCarriesOptimizerStateThatPythonCanRead() throws IOException {
    Path spec = spec("adam-cosine");
    Path run = dir.resolve("run");
    ok(rosetta("train", spec.toString(), "--backend", "tensorflow", "--train-samples", "640", "--epochs", "1", "--out", run.toString()));
    Checkpoint.Loaded l = Checkpoint.read(run.resolve("checkpoint.safetensors"));
    assertNotNull(l.optimizer());
    assertEquals(10, l.optimizer().step());
    assertEquals(List.of("fc1.weight/m", "fc1.weight/v", "fc1.bias/m", "fc1.bias/v", "fc2.weight/m", "fc2.weight/v",
        "fc2.bias/m", "fc2.bias/v"), List.copyOf(l.optimizer().tensors().keySet()));
    // Plain safetensors: every tensor, optimizer state included, has a shape and F32 data.
    dev.rosetta.weights.Safetensors.Contents c = dev.rosetta.weights.Safetensors.read(run.resolve("checkpoint.safetensors"));
    assertEquals(List.of(32, 784), java.util.Arrays.stream(c.weights().get("optimizer/fc1.weight/m").shape().dims()).boxed().toList());
    assertEquals(1, l.trainingState().epoch());
  }
}
