package dev.rosetta.data;

import dev.rosetta.weights.Initializer;
import java.util.SplittableRandom;

/**
 * The order samples are visited in one epoch. Seeded from the spec seed and the epoch number
 * through Java's SplittableRandom, so every backend sees the same batches.
 */
public final class BatchOrder {
  private BatchOrder() {}

  public static int[] forEpoch(int size, long seed, int epoch, boolean shuffle) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    if (shuffle) {
      SplittableRandom rng = new SplittableRandom(Initializer.streamSeed(seed, "shuffle/" + epoch));
      for (int i = size - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
    }
    return order;
  }

  /** Number of batches in an epoch; the last may be partial. */
  public static int batchCount(int size, int batchSize) {
    return (size + batchSize - 1) / batchSize;
  }
}
