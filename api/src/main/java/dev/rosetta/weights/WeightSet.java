package dev.rosetta.weights;

import dev.rosetta.InputException;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors in the canonical layout ({@code fc1.weight} is {@code [out, in]}), in layer
 * order. This is what checkpoints hold and what every backend starts from.
 */
public final class WeightSet {
  private final Map<String, Tensor> tensors;

  public WeightSet(Map<String, Tensor> tensors) {
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  public Map<String, Tensor> tensors() {
    return tensors;
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no tensor named '" + name + "' (have " + tensors.keySet() + ")");
    }
    return t;
  }

  public Set<String> names() {
    return tensors.keySet();
  }

  /**
   * Checks this set against what the spec declares: same names, same shapes. Returns every
   * difference in words, empty when they match.
   */
  public List<String> differencesFrom(CheckedSpec spec) {
    List<String> diffs = new ArrayList<>();
    Map<String, ParamSpec> declared = new LinkedHashMap<>();
    for (ParamSpec p : spec.params()) {
      declared.put(p.name(), p);
    }
    for (ParamSpec p : declared.values()) {
      Tensor t = tensors.get(p.name());
      if (t == null) {
        diffs.add("missing tensor '" + p.name() + "' of shape " + p.shape());
      } else if (!t.shape().equals(p.shape())) {
        diffs.add("tensor '" + p.name() + "' has shape " + t.shape() + " but the spec needs " + p.shape());
      }
    }
    for (String name : tensors.keySet()) {
      if (!declared.containsKey(name)) {
        diffs.add("unexpected tensor '" + name + "' (the spec has no such parameter)");
      }
    }
    return diffs;
  }

  /** Throws with every difference listed when this set does not fit the spec. */
  public WeightSet requireMatches(CheckedSpec spec, String source) {
    List<String> diffs = differencesFrom(spec);
    if (!diffs.isEmpty()) {
      throw new WeightMismatchException(
          source + " does not match spec '" + spec.name() + "':\n  " + String.join("\n  ", diffs));
    }
    return this;
  }

  /** Thrown when a weight set does not fit a spec. */
  public static final class WeightMismatchException extends InputException {
    private static final long serialVersionUID = 1L;

    public WeightMismatchException(String message) {
      super(message);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightSet w && tensors.equals(w.tensors);
  }

  @Override
  public int hashCode() {
    return tensors.hashCode();
  }
}
