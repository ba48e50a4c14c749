package dev.rosetta.backend;

import dev.rosetta.spec.SpecException;
import dev.rosetta.spec.SpecIssue;
import java.util.List;

/** A valid spec that the chosen backend cannot lower; each issue names the layer and backend. */
public final class UnsupportedSpecException extends SpecException {
  private static final long serialVersionUID = 1L;

  public UnsupportedSpecException(String source, List<SpecIssue> issues) {
    super(source, issues);
  }
}
