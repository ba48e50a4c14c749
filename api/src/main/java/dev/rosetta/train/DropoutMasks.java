package dev.rosetta.train;

import dev.rosetta.weights.Initializer;
import java.util.SplittableRandom;

/**
 * Dropout masks drawn from the spec's seed, so every backend drops the same units. The mask for
 * a layer at a step holds {@code 0} for a dropped element and {@code 1 / (1 - rate)} for a kept
 * one; a backend multiplies its input by it.
 */
public final class DropoutMasks {
  private DropoutMasks() {}

  public static float[] mask(long seed, long step, String layer, int count, double rate) {
    SplittableRandom rng =
        new SplittableRandom(Initializer.streamSeed(seed, "dropout/" + layer + "/" + step));
    float keep = (float) (1.0 / (1.0 - rate));
    float[] m = new float[count];
    for (int i = 0; i < count; i++) {
      m[i] = rng.nextDouble() < rate ? 0f : keep;
    }
    return m;
  }
}
