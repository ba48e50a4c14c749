package dev.rosetta.engine.tensorflow;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Keeps TensorFlow's native INFO lines (oneDNN and CPU-feature notices, every SavedModel load)
 * out of an application's output while letting its warnings and errors through: TensorFlow reads
 * {@code TF_CPP_MIN_LOG_LEVEL} from the process environment when it first logs, so setting it
 * to 1 before the library loads hides level 0 only. A value the user set is left alone; set
 * {@code TF_CPP_MIN_LOG_LEVEL=0} to see everything.
 */
final class TfLogging {
  static final String VARIABLE = "TF_CPP_MIN_LOG_LEVEL";
  static final String DEFAULT = "1";

  private TfLogging() {}

  /** The C library's environment setters. */
  private interface LibC extends Library {
    int setenv(String name, String value, int overwrite);

    int _putenv(String assignment);
  }

  /** Sets the level unless the environment already has one. Best effort: never fails a run. */
  static void quietInfo() {
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
      // Without it TensorFlow is only noisier.
    }
  }
}
