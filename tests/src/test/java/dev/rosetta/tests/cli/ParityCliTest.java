package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rosetta parity} and training on TensorFlow from the command line. */
class ParityCliTest {
  @TempDir Path dir;

  Path small() throws IOException {
    Path p = dir.resolve("small.json");
    Files.writeString(p, Files.readString(CliTest.SEED).replace("\"units\": 128", "\"units\": 32").replace("\"units\": 64", "\"units\": 16"));
    return p;
  }

  @Test
  void parityPrintsEveryRowWithItsBoundAndPasses() throws IOException {
    CliTest.Run r = rosetta("parity", small().toString(), "--epochs", "1", "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("PASS"), r.out());
    JsonNode j = r.json();
    assertTrue(j.get("pass").asBoolean());
    assertTrue(j.get("forward_max_abs").asDouble() <= 1e-5, j.toString());
    assertTrue(j.get("grad_rel_l2").asDouble() <= 1e-5, j.toString());
    assertTrue(j.get("loss_max_rel").asDouble() <= 1e-3, j.toString());
    assertTrue(j.get("weights_rel_l2").asDouble() <= 1e-5, j.toString());
    assertEquals(j.get("accuracy_pytorch").asDouble(), j.get("accuracy_tensorflow").asDouble(), 0.005);
    assertTrue(j.has("noise_floor"), "measured by default");
    assertEquals(3.0, j.get("k").asDouble());
    assertFalse(j.get("strict").asBoolean());
  }

  @Test
  void strictJudgesByTheFixedBoundsAndMeasuresNoFloor() throws IOException {
    CliTest.Run r = rosetta("parity", small().toString(), "--epochs", "1", "--strict", "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertTrue(j.get("strict").asBoolean());
    assertFalse(j.has("noise_floor"), j.toString());
    for (JsonNode c : j.get("checks")) {
      assertEquals("bound", c.get("basis").asText(), c.toString());
    }
    assertTrue(r.out().contains("strict: every row judged by its fixed bound alone"), r.out());
  }

  @Test
  void parityTakesTheTrainingOverridesTrainTakes() throws IOException {
    CliTest.Run r = rosetta("parity", small().toString(), "--epochs", "1", "--seed", "7", "--no-shuffle", "--batch-size", "32");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("1 epoch, batch 32, seed 7, "), r.out());
    assertTrue(r.out().contains("(188 steps)"), "6,000 samples in file order, 32 a batch: " + r.out());
    CliTest.Run bad = rosetta("parity", small().toString(), "--batch-size", "0");
    assertEquals(2, bad.code(), bad.out() + bad.err());
    assertTrue(bad.err().contains("--batch-size must be > 0 (got 0)"), bad.err());
  }

  @Test
  void noiseFloorIsReportedPerTrajectoryRowWithTheKindThatSetIt() throws IOException {
    CliTest.Run r = rosetta("parity", small().toString(), "--epochs", "1", "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("check (") && l.contains("noise floor")), r.out());
    JsonNode j = r.json();
    assertTrue(j.get("pass").asBoolean(), j.toString());
    JsonNode floor = j.get("noise_floor");
    assertNotNull(floor, j.toString());
    JsonNode kinds = j.get("noise_floor_kind");
    for (String key : List.of("loss_max_rel", "weights_rel_l2_end", "accuracy_points_apart")) {
      assertTrue(floor.has(key) && floor.get(key).isNumber(), key + " in " + floor);
      assertTrue(List.of("threads", "nudge").contains(kinds.get(key).asText()), kinds.toString());
    }
    assertFalse(floor.has("forward_max_abs"), "no floor for the rows at init");
    assertFalse(floor.has("weights_rel_l2"), "no floor for the weights after N steps");
    // PyTorch on another thread count, or nudged, does not retrace its own steps bit for bit.
    assertTrue(floor.get("weights_rel_l2_end").asDouble() > 0, floor.toString());
  }

  @Test
  void tensorflowTrainsAndItsCheckpointEvaluatesTheSameOnPytorch() throws IOException {
    Path spec = small();
    Path out = dir.resolve("tf");
    CliTest.Run t = rosetta("train", spec.toString(), "--backend", "tensorflow", "--epochs", "1", "--out", out.toString(), "--json");
    assertEquals(0, t.code(), t.err());
    assertEquals("tensorflow", t.json().get("backend").asText());
    String ckpt = out.resolve("checkpoint.safetensors").toString();
    CliTest.Run onTf = rosetta("eval", spec.toString(), "--weights", ckpt, "--json");
    CliTest.Run onPt = rosetta("eval", spec.toString(), "--weights", ckpt, "--backend", "pytorch", "--json");
    assertEquals(0, onTf.code(), onTf.err());
    assertEquals("tensorflow", onTf.json().get("backend").asText());
    assertEquals(t.json().get("test_accuracy").asDouble(), onTf.json().get("accuracy").asDouble(), 1e-9);
    assertEquals(onTf.json().get("accuracy").asDouble(), onPt.json().get("accuracy").asDouble(), 1e-9);
    assertEquals(onTf.json().get("loss").asDouble(), onPt.json().get("loss").asDouble(), 1e-5);
  }

  @Test
  void unknownBackendForParityIsBadInput() throws IOException {
    CliTest.Run r = rosetta("parity", small().toString(), "--candidate", "mxnet");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown backend 'mxnet'"), r.err());
  }
}
