package dev.rosetta.spec;

/**
 * Training settings.
 *
 * @param epochs passes over the training data
 * @param batchSize samples per optimizer step; the last batch of an epoch may be smaller
 * @param seed the one source of randomness: initialisation, shuffling and dropout masks
 * @param shuffle reshuffle the training data every epoch
 */
public record Training(int epochs, int batchSize, long seed, boolean shuffle) {
  public static final Training DEFAULT = new Training(10, 64, 42, true);
}
