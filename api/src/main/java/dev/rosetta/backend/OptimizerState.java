package dev.rosetta.backend;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an optimizer carries from step to step, in backend-neutral form so a run saved on one
 * backend resumes on another: the number of steps taken and each state tensor by name, {@code
 * <parameter>/<slot>} ({@code fc1.weight/momentum}; Adam's {@code fc1.weight/m} and {@code
 * fc1.weight/v}), flat in the parameter's canonical layout.
 */
public record OptimizerState(long step, Map<String, float[]> tensors) {
  public OptimizerState {
    tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** No steps taken; empty state. */
  public static final OptimizerState NONE = new OptimizerState(0, Map.of());

  /**
   * Checks that {@code state} has exactly the tensors, and sizes, of {@code model}'s own state.
   *
   * @throws IllegalArgumentException listing every difference
   */
  public static void requireFits(OptimizerState state, OptimizerState model) {
    java.util.List<String> diffs = new java.util.ArrayList<>();
    model.tensors().forEach((name, v) -> {
      float[] got = state.tensors().get(name);
      if (got == null) {
        diffs.add("missing optimizer state '" + name + "'");
      } else if (got.length != v.length) {
        diffs.add("optimizer state '" + name + "' has " + got.length + " values, the model needs " + v.length);
      }
    });
    state.tensors().keySet().stream().filter(n -> !model.tensors().containsKey(n))
        .forEach(n -> diffs.add("unexpected optimizer state '" + n + "' (another optimizer?)"));
    if (!diffs.isEmpty()) {
      throw new IllegalArgumentException("optimizer state does not fit the model:\n  " + String.join("\n  ", diffs));
    }
  }
}
