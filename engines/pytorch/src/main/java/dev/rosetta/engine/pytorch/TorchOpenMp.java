package dev.rosetta.engine.pytorch;

import dev.rosetta.backend.NativeEnvironment;

/**
 * libtorch splits kernels over OpenMP threads (its own libgomp), whose idle workers spin on a
 * core while they wait for the next kernel. On a machine shared with other work that spinning
 * steals the cores the kernels need: the fashion-cnn on two threads fell from about 830 to
 * 72-121 samples/s at load 10-12 on 2 cores, and plain PyTorch in Python likewise (1,030 to
 * 87-174). With {@code OMP_WAIT_POLICY=PASSIVE} idle workers sleep instead, and two threads beat
 * one (docs/performance.md "Thread policy"). libgomp reads the variable once, when it loads with libtorch, so
 * it is set in the process environment before the engine starts. A value the user set is left
 * alone.
 */
final class TorchOpenMp {
  static final String VARIABLE = "OMP_WAIT_POLICY";
  static final String DEFAULT = "PASSIVE";

  private TorchOpenMp() {}

  /** Sets the wait policy unless the environment has one. */
  static void passiveUnlessSet() {
    NativeEnvironment.setUnlessSet(VARIABLE, DEFAULT);
  }
}
