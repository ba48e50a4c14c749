package dev.rosetta.train;

import dev.rosetta.backend.TrainableModel;

/** Observes a training run. Methods run on the training thread; keep them cheap. */
public interface TrainingListener {

  /** After each optimizer step. */
  default void onStep(StepEvent event) {}

  /** After each epoch, with its evaluation. */
  default void onEpoch(EpochEvent event) {}

  /**
   * @param epoch 1-based
   * @param step 1-based global optimizer step
   * @param loss the batch's mean loss before the update
   * @param batchIndex 0-based within the epoch
   * @param batches batches in the epoch
   */
  record StepEvent(int epoch, long step, float loss, int batchSize, int batchIndex, int batches) {}

  /**
   * @param trainLoss mean of the epoch's step losses, weighted by batch size
   * @param test evaluation on the test set, or null without one
   * @param trainSeconds time spent in training steps this epoch (evaluation excluded)
   * @param validation evaluation on the validation split, or null without one
   * @param train evaluation of the epoch's final weights on the training set (evaluation mode),
   *     or null when not asked for ({@link TrainingLoop#optTrainMetrics})
   * @param learningRate the rate of the epoch's last step (a schedule's value; each layer's
   *     multiplier applies on top)
   * @param state where the run stands after this epoch: what a checkpoint needs to resume it
   * @param improved early stopping's monitor reached a new best this epoch (the run keeps these
   *     weights as its best)
   */
  record EpochEvent(
      int epoch, int epochs, long step, double trainLoss, Evaluation test, double trainSeconds,
      int samples, TrainableModel model, Evaluation validation, Evaluation train, double learningRate,
      TrainingState state, boolean improved) {
    public double samplesPerSecond() {
      return samples / trainSeconds;
    }
  }
}
