package dev.rosetta.train;

/**
 * What a finished run reports.
 *
 * @param epochs the last epoch trained (the total, counting epochs before a resume)
 * @param steps optimizer steps taken in this run
 * @param test the last epoch's evaluation, or null without a test set
 * @param samplesPerSecond training throughput over the whole run, evaluation excluded
 * @param validation the last epoch's evaluation on the validation split, or null without one
 * @param stoppedEarly early stopping ended the run after {@code epochs}
 * @param bestEpoch the epoch with the best monitored value, 0 without early stopping
 * @param restoredBest the model holds the weights of {@code bestEpoch} (restore_best_weights)
 */
public record TrainingResult(
    int epochs, long steps, double trainLoss, Evaluation test, double samplesPerSecond, Evaluation validation,
    boolean stoppedEarly, int bestEpoch, boolean restoredBest) {

  public TrainingResult(int epochs, long steps, double trainLoss, Evaluation test, double samplesPerSecond) {
    this(epochs, steps, trainLoss, test, samplesPerSecond, null, false, 0, false);
  }
}
