package dev.rosetta.spec;

/**
 * Training settings.
 *
 * @param epochs passes over the training data
 * @param batchSize samples per optimizer step; the last batch of an epoch may be smaller
 * @param seed the one source of randomness: initialisation, shuffling, dropout masks,
 *     augmentation
 * @param shuffle reshuffle the training data every epoch
 * @param clipGradValue clamp every gradient value to [-v, v] before the update; 0 is off
 * @param clipGradNorm scale the gradients so their global L2 norm is at most this; 0 is off
 */
public record Training(
    int epochs, int batchSize, long seed, boolean shuffle, double clipGradValue, double clipGradNorm) {
  public static final Training DEFAULT = new Training(10, 64, 42, true);

  /** No clipping. */
  public Training(int epochs, int batchSize, long seed, boolean shuffle) {
    this(epochs, batchSize, seed, shuffle, 0, 0);
  }

  private static final Field<Training, Integer> EPOCHS =
      Field.of("epochs", Codec.INT, Training::epochs).orElse(DEFAULT.epochs()).must(Rule.POSITIVE);
  private static final Field<Training, Integer> BATCH_SIZE =
      Field.of("batch_size", Codec.INT, Training::batchSize).orElse(DEFAULT.batchSize()).must(Rule.POSITIVE);
  private static final Field<Training, Long> SEED = Field.of("seed", Codec.LONG, Training::seed).orElse(DEFAULT.seed());
  private static final Field<Training, Boolean> SHUFFLE =
      Field.of("shuffle", Codec.BOOL, Training::shuffle).orElse(DEFAULT.shuffle());
  private static final Field<Training, Double> CLIP_GRAD_VALUE =
      Field.of("clip_grad_value", Codec.NUMBER, Training::clipGradValue).orElse(0.0).must(Rule.NON_NEGATIVE_FINITE);
  private static final Field<Training, Double> CLIP_GRAD_NORM =
      Field.of("clip_grad_norm", Codec.NUMBER, Training::clipGradNorm).orElse(0.0).must(Rule.NON_NEGATIVE_FINITE);

  /** The JSON form of {@code "training"}. */
  public static final Schema<Training> SCHEMA =
      Schema.of(Training::new, EPOCHS, BATCH_SIZE, SEED, SHUFFLE, CLIP_GRAD_VALUE, CLIP_GRAD_NORM);

  /** These settings with another loop (epochs, batch size, seed, order) and everything else kept. */
  public Training withLoop(int e, int b, long s, boolean sh) {
    return new Training(e, b, s, sh, clipGradValue, clipGradNorm);
  }

  /** These settings with another seed. */
  public Training withSeed(long s) {
    return withLoop(epochs, batchSize, s, shuffle);
  }
}
