package dev.rosetta.data;

/** Data that cannot be used: missing, corrupt, truncated or not fitting the spec. */
public class DataException extends dev.rosetta.InputException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
