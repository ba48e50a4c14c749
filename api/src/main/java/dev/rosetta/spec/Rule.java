package dev.rosetta.spec;

import java.util.function.Predicate;

/**
 * A check on one field's value, declared with the field. A violation reads {@code
 * <field> <requirement> (got <value><hint>)}, e.g. {@code fc2.units must be > 0 (got -5)}.
 *
 * @param requirement what a valid value is, after the field name: {@code must be > 0}
 * @param hint appended after the offending value, e.g. a note on another framework's convention
 */
public record Rule<V>(Predicate<V> valid, String requirement, String hint) {

  public static <V> Rule<V> of(Predicate<V> valid, String requirement) {
    return new Rule<>(valid, requirement, "");
  }

  /** The same rule with a note after the offending value. */
  public Rule<V> withHint(String hint) {
    return new Rule<>(valid, requirement, hint);
  }

  public static final Rule<Integer> POSITIVE = of(v -> v > 0, "must be > 0");
  public static final Rule<Integer> AT_LEAST_ONE = of(v -> v >= 1, "must be >= 1");
  public static final Rule<Integer> NON_NEGATIVE = of(v -> v >= 0, "must be >= 0");
  public static final Rule<Double> POSITIVE_FINITE =
      of(v -> v > 0 && !Double.isInfinite(v), "must be > 0 and finite");
  public static final Rule<Double> NON_NEGATIVE_FINITE =
      of(v -> v >= 0 && !Double.isInfinite(v), "must be >= 0 and finite");
  /** A rate or a coefficient in [0, 1). */
  public static final Rule<Double> FRACTION = of(v -> v >= 0 && v < 1, "must be in [0, 1)");
  public static final Rule<Double> UNIT_INTERVAL = of(v -> v >= 0 && v <= 1, "must be in [0, 1]");
  public static final Rule<Layer.Hw> POSITIVE_HW = of(v -> v.h() > 0 && v.w() > 0, "must be > 0");
  public static final Rule<Layer.Hw> NON_NEGATIVE_HW = of(v -> v.h() >= 0 && v.w() >= 0, "must be >= 0");
}
