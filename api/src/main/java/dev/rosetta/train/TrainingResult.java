package dev.rosetta.train;

/**
 * What a finished run reports.
 *
 * @param test the last epoch's evaluation, or null without a test set
 * @param samplesPerSecond training throughput over the whole run, evaluation excluded
 */
public record TrainingResult(
    int epochs, long steps, double trainLoss, Evaluation test, double samplesPerSecond) {}
