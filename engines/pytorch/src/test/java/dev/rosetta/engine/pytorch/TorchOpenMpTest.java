package dev.rosetta.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rosetta.backend.NativeEnvironment;
import org.junit.jupiter.api.Test;

/** libgomp finds the short-spin wait ({@code OpenMpWait}) in the environment when libtorch loads. */
class TorchOpenMpTest {
  @Test
  void passiveAfterAShortSpinUnlessTheUserChose() {
    assumeTrue(System.getenv("OMP_WAIT_POLICY") == null && System.getenv("GOMP_SPINCOUNT") == null,
        "the user's own OpenMP settings are left alone");
    PytorchBackend.engine();
    assertEquals("PASSIVE", NativeEnvironment.get("OMP_WAIT_POLICY"));
    assertEquals("3000", NativeEnvironment.get("GOMP_SPINCOUNT"));
  }
}
