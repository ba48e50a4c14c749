package dev.rosetta.engine.pytorch;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

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

  /** The C library's environment setters. */
  private interface LibC extends Library {
    int setenv(String name, String value, int overwrite);

    int _putenv(String assignment);
  }

  /** Sets the wait policy unless the environment has one. Best effort: never fails a run. */
  static void passiveUnlessSet() {
    if (System.getenv(VARIABLE) != null) {
      return;
    }
    try {
      if (Platform.isWindows()) {
        Native.load("msvcrt", LibC.class)._putenv(VARIABLE + "=" + DEFAULT);
      } else {
        Native.load("c", LibC.class).setenv(VARIABLE, DEFAULT, 0);
      }
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      // Without it idle OpenMP workers only spin.
    }
  }
}
