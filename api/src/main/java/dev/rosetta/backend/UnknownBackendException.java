package dev.rosetta.backend;

import dev.rosetta.InputException;
import java.util.List;

/** A backend name that no backend on the class path answers to. */
public final class UnknownBackendException extends InputException {
  private static final long serialVersionUID = 1L;

  public UnknownBackendException(String name, List<String> available) {
    super("unknown backend '" + name + "' (available: " + String.join(", ", available) + ")");
  }
}
