package dev.rosetta.train;

/**
 * What a finished run reports.
 *
 * @param test the last epoch's evaluation, or null without a test set
 * @param samplesPerSecond training throughput over the whole run, evaluation excluded
 * @param validation the last epoch's evaluation on the validation split, or null without one
 */
public record TrainingResult(
    int epochs, long steps, double trainLoss, Evaluation test, double samplesPerSecond, Evaluation validation) {

  public TrainingResult(int epochs, long steps, double trainLoss, Evaluation test, double samplesPerSecond) {
    this(epochs, steps, trainLoss, test, samplesPerSecond, null);
  }
}
