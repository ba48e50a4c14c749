package dev.rosetta.weights;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starting a model from another model's weights by name, as fine-tuning does: each tensor the
 * spec declares is taken from the source when the source has it with the same shape, and
 * initialised from the spec's seed otherwise (a new head); source tensors the spec does not
 * declare are ignored. A tensor present in both with different shapes is a conflict, refused
 * unless the caller asks to initialise such tensors afresh.
 *
 * @param weights the spec's full weight set
 * @param loaded names taken from the source
 * @param initialised names the source lacks, initialised from the spec's seed
 * @param reinitialised names the source has with another shape, initialised (only when asked)
 * @param ignored source names the spec does not declare
 */
public record WeightTransfer(
    WeightSet weights, List<String> loaded, List<String> initialised, List<String> reinitialised, List<String> ignored) {

  /** A tensor whose shape differs between the source and the spec. */
  public static final class ShapeConflictException extends dev.rosetta.InputException {
    public ShapeConflictException(String message) {
      super(message);
    }
  }

  /**
   * @param source names the source in messages
   * @param reinitMismatched initialise conflicting tensors instead of refusing
   * @throws ShapeConflictException listing every conflict, when not told to re-initialise
   */
  public static WeightTransfer byName(CheckedSpec spec, WeightSet from, String source, boolean reinitMismatched) {
    WeightSet fresh = Initializer.initialize(spec);
    Map<String, Tensor> out = new LinkedHashMap<>();
    List<String> loaded = new ArrayList<>();
    List<String> initialised = new ArrayList<>();
    List<String> reinitialised = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    for (ParamSpec p : spec.params()) {
      Tensor t = from.tensors().get(p.name());
      if (t == null) {
        out.put(p.name(), fresh.get(p.name()));
        initialised.add(p.name());
      } else if (!t.shape().equals(p.shape())) {
        conflicts.add(p.name() + ": " + source + " has " + t.shape() + ", the spec " + p.shape());
        out.put(p.name(), fresh.get(p.name()));
        reinitialised.add(p.name());
      } else {
        out.put(p.name(), t);
        loaded.add(p.name());
      }
    }
    if (!conflicts.isEmpty() && !reinitMismatched) {
      throw new ShapeConflictException("cannot load " + source + " into spec '" + spec.name() + "': tensors differ in shape:\n  "
          + String.join("\n  ", conflicts)
          + "\nrename the changed layer (its tensors are then initialised afresh) or pass --reinit-mismatched");
    }
    List<String> ignored = from.names().stream().filter(n -> !out.containsKey(n)).sorted().toList();
    return new WeightTransfer(new WeightSet(out), loaded, initialised, reinitialised, ignored);
  }

  /** Whether every tensor came from the source and nothing was left over: a plain load. */
  public boolean complete() {
    return initialised.isEmpty() && reinitialised.isEmpty() && ignored.isEmpty();
  }
}
