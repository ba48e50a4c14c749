package dev.rosetta.spec;

import java.util.List;
import java.util.Optional;

/**
 * Everything validation found about one spec, errors and warnings, and the checked spec when
 * there were no errors.
 */
public record ValidationReport(List<SpecIssue> issues, CheckedSpec checked) {
  public ValidationReport {
    issues = List.copyOf(issues);
  }

  /** A report of problems found before a spec existed (unreadable JSON, missing parts). */
  public ValidationReport(List<SpecIssue> issues) {
    this(issues, null);
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

  /** The checked spec, present exactly when there are no errors. */
  public Optional<CheckedSpec> checkedSpec() {
    return Optional.ofNullable(checked);
  }
}
