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

  private static final Field<Training, Integer> EPOCHS =
      Field.of("epochs", Codec.INT, Training::epochs).orElse(DEFAULT.epochs()).must(Rule.POSITIVE);
  private static final Field<Training, Integer> BATCH_SIZE =
      Field.of("batch_size", Codec.INT, Training::batchSize).orElse(DEFAULT.batchSize()).must(Rule.POSITIVE);
  private static final Field<Training, Long> SEED = Field.of("seed", Codec.LONG, Training::seed).orElse(DEFAULT.seed());
  private static final Field<Training, Boolean> SHUFFLE =
      Field.of("shuffle", Codec.BOOL, Training::shuffle).orElse(DEFAULT.shuffle());

  /** The JSON form of {@code "training"}. */
  public static final Schema<Training> SCHEMA =
      Schema.of(Training::new, EPOCHS, BATCH_SIZE, SEED, SHUFFLE);
}
