package dev.rosetta.spec;

import java.util.List;

/** Everything validation found about one spec, errors and warnings. */
public record ValidationReport(List<SpecIssue> issues) {
  public ValidationReport {
    issues = List.copyOf(issues);
  }

  public boolean hasErrors() {
    return issues.stream().anyMatch(i -> i.severity() == SpecIssue.Severity.ERROR);
  }

  public List<SpecIssue> errors() {
    return issues.stream().filter(i -> i.severity() == SpecIssue.Severity.ERROR).toList();
  }

  public List<SpecIssue> warnings() {
    return issues.stream().filter(i -> i.severity() == SpecIssue.Severity.WARNING).toList();
  }
}
