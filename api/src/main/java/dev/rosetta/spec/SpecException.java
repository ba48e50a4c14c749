package dev.rosetta.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A spec that cannot be used; carries every error found, each with its JSON path. */
public class SpecException extends dev.rosetta.InputException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final transient List<SpecIssue> issues;

  public SpecException(String source, List<SpecIssue> issues) {
    super(format(source, issues));
    this.source = source;
    this.issues = List.copyOf(issues);
  }

  public String source() {
    return source;
  }

  public List<SpecIssue> issues() {
    return issues;
  }

  private static String format(String source, List<SpecIssue> issues) {
    List<SpecIssue> errors =
        issues.stream().filter(i -> i.severity() == SpecIssue.Severity.ERROR).toList();
    return source
        + ": "
        + errors.size()
        + (errors.size() == 1 ? " error" : " errors")
        + errors.stream().map(i -> "\n  " + i).collect(Collectors.joining());
  }
}
