package dev.rosetta.spec;

/** Where a kind's own checks report: at its object in the spec, or at one of its fields. */
public interface Checks {
  /**
   * @param field the field or sub-path the error is about ({@code "padding"}, {@code
   *     "inputs[1]"}), or null for the object itself
   */
  void error(String field, String message);
}
