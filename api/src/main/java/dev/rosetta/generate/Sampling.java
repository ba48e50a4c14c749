package dev.rosetta.generate;

/**
 * How the next token is chosen from the model's logits at the last position.
 *
 * @param temperature 0 for greedy decoding (the argmax, ties to the lowest id); above 0, the
 *     logits are divided by it and a token is drawn from their softmax
 * @param topK when drawing, only the {@code topK} largest logits take part (ties broken towards
 *     the lower id); 0 for all
 * @param seed the draws' stream: Java's SplittableRandom keyed by this seed, never a framework's
 *     RNG, so every runtime draws the same numbers
 */
public record Sampling(double temperature, int topK, long seed) {
  public static final Sampling GREEDY = new Sampling(0, 0, 0);

  public Sampling {
    if (!(temperature >= 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0 and finite (got " + temperature + ")");
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top-k must be >= 0 (got " + topK + ")");
    }
  }

  public boolean greedy() {
    return temperature == 0;
  }
}
