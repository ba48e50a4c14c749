package dev.rosetta.spec;

import java.util.List;

/**
 * What a layer kind's {@link Layer#check} sees: the shapes it reads (null where an earlier error
 * left them unknown) and where to report, at {@code $.layers[i]} or one of its fields.
 */
public final class LayerCheck implements Checks {
  private final String path;
  private final String layer;
  private final List<String> inputNames;
  private final List<Shape> inputs;
  private final List<SpecIssue> issues;
  private final boolean fieldsValid;
  private boolean failed;

  LayerCheck(
      String path, String layer, List<String> inputNames, List<Shape> inputs, boolean fieldsValid,
      List<SpecIssue> issues) {
    this.path = path;
    this.layer = layer;
    this.inputNames = inputNames;
    this.inputs = inputs;
    this.fieldsValid = fieldsValid;
    this.issues = issues;
  }

  /**
   * Whether every field passed its own checks; shape arithmetic on invalid values (a zero
   * stride) must wait until they do.
   */
  public boolean fieldsValid() {
    return fieldsValid;
  }

  /** The shapes of everything the layer reads, or null when some are unknown. */
  public List<Shape> inputs() {
    return inputs;
  }

  /** The first input's shape, or null when unknown. */
  public Shape input() {
    return inputs == null ? null : inputs.get(0);
  }

  /** The names the layer reads ({@code "input"} for the model input). */
  public List<String> inputNames() {
    return inputNames;
  }

  /** An error at the layer ({@code field} null) or at one of its fields or sub-paths. */
  @Override
  public void error(String field, String message) {
    issues.add(SpecIssue.error(field == null ? path : path + "." + field, layer, message));
    failed = true;
  }

  /** Whether {@link #error} was called. */
  boolean failed() {
    return failed;
  }

  /**
   * True when the input is known and has {@code rank} axes; reports a wrong rank as {@code
   * <layer>: <what> needs a <shape> sample, got [..] (rank r)}.
   */
  public boolean inputRank(int rank, String what, String shape) {
    Shape in = input();
    if (in == null) {
      return false;
    }
    if (in.rank() != rank) {
      error(null, layer + ": " + what + " needs a " + shape + " sample, got " + in + " (rank " + in.rank() + ")");
      return false;
    }
    return true;
  }
}
