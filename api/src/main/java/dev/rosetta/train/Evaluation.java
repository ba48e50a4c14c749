package dev.rosetta.train;

/**
 * Loss and accuracy over a dataset.
 *
 * @param accuracy fraction of argmax hits, or NaN for a regression set
 */
public record Evaluation(double loss, double accuracy, int samples) {}
