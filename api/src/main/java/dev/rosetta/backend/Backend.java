package dev.rosetta.backend;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.weights.WeightSet;
import java.util.List;
import java.util.Map;

/**
 * A lowering of the IR to one framework, plus that framework's training step. Found through
 * {@link java.util.ServiceLoader}; see {@link Backends}.
 */
public interface Backend {

  /** Short name used on the command line: {@code pytorch}, {@code tensorflow}. */
  String name();

  /** Versions that produced a result, for provenance: e.g. {@code djl=0.36.0, pytorch=2.7.1}. */
  Map<String, String> versions();

  /**
   * What of this spec the backend cannot lower, each finding naming the layer (or loss or
   * optimizer) and this backend. Empty when the whole spec is supported, which is the default:
   * every kind has a lowering in every backend (the lowerings' visitors are exhaustive), so
   * this speaks only for combinations a framework lacks.
   */
  default List<SpecIssue> unsupported(CheckedSpec spec) {
    return List.of();
  }

  /**
   * Lowers a checked spec and loads the given weights (canonical layout). The caller owns the
   * returned model and closes it.
   *
   * @param execution how the model runs (thread count); {@link Execution#DEFAULT} lets the
   *     backend choose
   * @throws UnsupportedSpecException when {@link #unsupported} finds something
   * @throws dev.rosetta.weights.WeightSet.WeightMismatchException when the weights do not fit
   */
  TrainableModel create(CheckedSpec spec, WeightSet weights, Execution execution);

  /** {@link #create(CheckedSpec, WeightSet, Execution)} with the backend's own execution choices. */
  default TrainableModel create(CheckedSpec spec, WeightSet weights) {
    return create(spec, weights, Execution.DEFAULT);
  }

  /**
   * A model for evaluation and prediction only. Backends with a separate inference face (a
   * TensorFlow SavedModel loaded through DJL) override this; the default is {@link #create}.
   */
  default InferenceModel inference(CheckedSpec spec, WeightSet weights) {
    return create(spec, weights);
  }

  /** Throws {@link UnsupportedSpecException} listing what {@link #unsupported} finds. */
  default void requireSupported(CheckedSpec spec) {
    List<SpecIssue> issues = unsupported(spec);
    if (!issues.isEmpty()) {
      throw new UnsupportedSpecException(spec.name(), issues);
    }
  }
}
