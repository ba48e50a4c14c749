package dev.rosetta.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * PyTorch-only checks. What every backend must do (learn, load weights exactly, follow the
 * documented gradient and update rules, repeat itself bit for bit) is one suite in the tests
 * module, run against each backend: {@code dev.rosetta.tests.backend.BackendContractCases}.
 */
class PytorchBackendTest {

  @Test
  void foundThroughServiceLoaderWithVersions() {
    PytorchBackend b = (PytorchBackend) Backends.get("pytorch");
    assertEquals("0.36.0", b.versions().get("djl"));
    assertEquals("2.7.1", b.versions().get("pytorch"));
  }
}
