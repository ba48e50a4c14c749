package dev.rosetta.engine.tensorflow;

import dev.rosetta.backend.NativeEnvironment;

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

  /** Sets the level unless the environment already has one. */
  static void quietInfo() {
    NativeEnvironment.setUnlessSet(VARIABLE, DEFAULT);
  }
}
