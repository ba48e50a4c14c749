package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.rosetta.testkit.TestSpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A spec a backend cannot lower is rejected at validation, naming the layer and the backend. */
class BackendSupportTest {
  @TempDir Path dir;

  Path withDropout() throws IOException {
    Path p = dir.resolve("drop.json");
    Files.writeString(p, Files.readString(CliTest.SEED)
        .replace("{\"type\": \"relu\", \"name\": \"relu2\"}", "{\"type\": \"dropout\", \"name\": \"drop2\", \"rate\": 0.2}"));
    return p;
  }

  @Test
  void validateNamesTheLayerAndTheBackend() throws IOException {
    CliTest.Run r = rosetta("validate", withDropout().toString(), "--backend", "fake");
    assertEquals(2, r.code());
    assertTrue(r.out().contains("error: layer 'drop2' (dropout) is not supported by the fake backend at $.layers[3]"), r.out());
    assertEquals(0, rosetta("validate", withDropout().toString(), "--backend", "tensorflow").code());
    assertEquals(0, rosetta("validate", withDropout().toString(), "--backend", "pytorch").code());
  }

  @Test
  void trainRefusesBeforeWritingAnything() throws IOException {
    Path out = dir.resolve("out");
    CliTest.Run r = rosetta("train", withDropout().toString(), "--backend", "fake", "--out", out.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("layer 'drop2' (dropout) is not supported by the fake backend"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void everyRealBackendLowersEveryLayerKindToday() throws IOException {
    // The ONNX and parity suites cover every kind; here the backends' own support checks agree.
    Path every = Files.writeString(dir.resolve("every-layer.json"), TestSpecs.everyLayerJson());
    for (String backend : new String[] {"pytorch", "tensorflow"}) {
      CliTest.Run r = rosetta("validate", every.toString(), "--backend", backend);
      assertEquals(0, r.code(), r.out());
    }
  }
}
