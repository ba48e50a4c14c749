package dev.rosetta.cli;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.spec.ValidationReport;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.UnsupportedSpecException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Reading a spec file for a command: errors become exit 2, warnings go to stderr. */
final class SpecFiles {
  private SpecFiles() {}

  /** The spec file's text; a missing or unreadable file is bad input. */
  static String readText(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new Rosetta.UserInputException("spec file not found: " + file);
    } catch (IOException e) {
      throw new Rosetta.UserInputException("cannot read spec " + file + ": " + e.getMessage());
    }
  }

  static CheckedSpec load(Path file, PrintWriter err) {
    SpecJson.ParseResult r = SpecJson.parseWithReport(readText(file), file.toString());
    ValidationReport report = r.report();
    if (report.hasErrors()) {
      throw new dev.rosetta.spec.SpecException(file.toString(), report.issues());
    }
    for (SpecIssue w : report.warnings()) {
      err.println(file + ": " + w);
    }
    return report.checkedSpec().orElseThrow();
  }

  /** Rejects, at validation time, what the chosen backend cannot lower. */
  static void requireSupported(Backend backend, CheckedSpec spec, Path file) {
    List<SpecIssue> issues = backend.unsupported(spec);
    if (!issues.isEmpty()) {
      throw new UnsupportedSpecException(file.toString(), issues);
    }
  }
}
