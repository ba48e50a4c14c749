package dev.rosetta;

/**
 * Input that Rosetta cannot use: a spec, data file, checkpoint, model file or option that is
 * wrong, with a message that says where and what to change. The command line exits with code 2
 * for these and prints only the message; every other exception is an internal error.
 */
public class InputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
