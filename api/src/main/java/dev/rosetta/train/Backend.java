package dev.rosetta.train;

import dev.rosetta.spec.ModelSpec;
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
   * optimizer) and this backend. Empty when the whole spec is supported.
   */
  List<SpecIssue> unsupported(ModelSpec spec);

  /**
   * Lowers a validated spec and loads the given weights (canonical layout). The caller owns the
   * returned model and closes it.
   */
  TrainableModel create(ModelSpec spec, WeightSet weights);

  /**
   * A model for evaluation and prediction only. Backends with a separate inference face (a
   * TensorFlow SavedModel loaded through DJL) override this; the default is {@link #create}.
   */
  default InferenceModel inference(ModelSpec spec, WeightSet weights) {
    return create(spec, weights);
  }
}
