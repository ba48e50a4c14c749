package dev.rosetta.spec;

/**
 * One finding about a spec.
 *
 * @param path JSON path of the offending value, e.g. {@code $.layers[2].units}
 * @param layer the layer's name, or null when the finding is not about one layer
 */
public record SpecIssue(Severity severity, String path, String layer, String message) {

  public enum Severity {
    ERROR,
    WARNING
  }

  public static SpecIssue error(String path, String layer, String message) {
    return new SpecIssue(Severity.ERROR, path, layer, message);
  }

  public static SpecIssue warning(String path, String layer, String message) {
    return new SpecIssue(Severity.WARNING, path, layer, message);
  }

  /** {@code error: fc2.units must be > 0 (got -5) at $.layers[2].units}. */
  @Override
  public String toString() {
    return severity.name().toLowerCase() + ": " + message + " at " + path;
  }
}
