package dev.rosetta.engine.tensorflow;

import dev.rosetta.backend.Backend;

/**
 * A TensorFlow backend with one realistic mistake, planted from test code through the backend's
 * optimizer factory. See PlantedBugsTest.
 */
public final class PlantedTensorflowBugs {
  private PlantedTensorflowBugs() {}

  /**
   * The update ops built without control dependencies on the gradients: the race found while
   * prototyping, where an update of a later layer can land before an earlier layer's backward
   * pass reads that weight.
   */
  public static Backend updatesNotOrderedAfterGradients() {
    return new TensorflowBackend(new TensorflowParts(
        (spec, after, init, names, params, grads, multipliers) ->
            TensorflowOptimizer.of(spec, init, init, names, params, grads, multipliers)));
  }
}
