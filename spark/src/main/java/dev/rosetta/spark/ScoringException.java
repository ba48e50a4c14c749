package dev.rosetta.spark;

/**
 * A model or a table the scorer cannot use: an input column missing or of the wrong type or
 * width, a model that is not ONNX, a bad setting. Raised on the driver before any Spark job when
 * the schema shows it; the CLI exits 2.
 */
public final class ScoringException extends dev.rosetta.InputException {
  private static final long serialVersionUID = 1L;

  public ScoringException(String message) {
    super(message);
  }

  public ScoringException(String message, Throwable cause) {
    super(message, cause);
  }
}
