package dev.rosetta.sweep;

import java.io.Serializable;

/**
 * Everything one trial needs, in a form that travels to a Spark executor: the trial's spec as
 * canonical JSON, the backend and thread count, where the data is, and how to judge it.
 *
 * @param index 1-based
 * @param dataPath absolute, or "" for the embedded Fashion-MNIST subset
 * @param labelColumn "" for the readers' default
 * @param trainSamples 0 for all
 * @param evaluation how to judge the trial, or null to train on all the data (the best trial's
 *     final model after a cross-validation)
 * @param checkpoint return the trained model's checkpoint (a validation split's model, or the final one)
 */
public record TrialTask(
    int index, String specJson, String backend, int threads, String dataPath, String labelColumn, int trainSamples,
    TrialEvaluation evaluation, String metric, boolean checkpoint) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** This trial trained on all the data for its checkpoint, judged on nothing. */
  public TrialTask whole() {
    return new TrialTask(index, specJson, backend, threads, dataPath, labelColumn, trainSamples, null, metric, true);
  }
}
