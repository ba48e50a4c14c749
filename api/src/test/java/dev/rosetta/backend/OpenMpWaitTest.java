package dev.rosetta.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The short-spin wait goes into an environment that has neither variable, and only then. */
class OpenMpWaitTest {
  @Test
  void passiveAfterAShortSpinUnlessTheUserChoseEither() {
    assertEquals(Map.of("OMP_WAIT_POLICY", "PASSIVE", "GOMP_SPINCOUNT", "3000"), OpenMpWait.unlessSet(Map.<String, String>of()::get));
    assertEquals(Map.of(), OpenMpWait.unlessSet(Map.of("OMP_WAIT_POLICY", "ACTIVE")::get), "the user's policy, no spin count over it");
    assertEquals(Map.of(), OpenMpWait.unlessSet(Map.of("GOMP_SPINCOUNT", "0")::get));
  }
}
