package dev.rosetta.spec;

import java.util.List;

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
 * @param schedule the learning-rate schedule, or null for a constant rate
 * @param earlyStopping when to stop before {@code epochs}, or null to run them all
 * @param augmentation random image transformations of every training batch, in order
 */
public record Training(
    int epochs, int batchSize, long seed, boolean shuffle, double clipGradValue, double clipGradNorm,
    Schedule schedule, EarlyStopping earlyStopping, List<Augmentation> augmentation) {
  public static final Training DEFAULT = new Training(10, 64, 42, true);

  public Training {
    augmentation = List.copyOf(augmentation);
    if (schedule instanceof Schedule.Cosine c) {
      schedule = c.over(epochs);
    }
  }

  /** No clipping, schedule, early stopping or augmentation. */
  public Training(int epochs, int batchSize, long seed, boolean shuffle) {
    this(epochs, batchSize, seed, shuffle, 0, 0);
  }

  /** No schedule, early stopping or augmentation. */
  public Training(int epochs, int batchSize, long seed, boolean shuffle, double clipGradValue, double clipGradNorm) {
    this(epochs, batchSize, seed, shuffle, clipGradValue, clipGradNorm, null, null, List.of());
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

  /**
   * The JSON form of {@code "training"}'s plain fields; the objects under {@code lr_schedule},
   * {@code early_stopping} and {@code augmentation} are typed kinds read beside it ({@link
   * SpecJson}).
   */
  public static final Schema<Training> SCHEMA =
      Schema.of(Training::new, EPOCHS, BATCH_SIZE, SEED, SHUFFLE, CLIP_GRAD_VALUE, CLIP_GRAD_NORM);

  /** The keys of the typed parts. */
  static final String LR_SCHEDULE = "lr_schedule";
  static final String EARLY_STOPPING = "early_stopping";
  static final String AUGMENTATION = "augmentation";

  /** These settings with another loop (epochs, batch size, seed, order) and everything else kept. */
  public Training withLoop(int e, int b, long s, boolean sh) {
    return new Training(e, b, s, sh, clipGradValue, clipGradNorm, schedule, earlyStopping, augmentation);
  }

  /** These settings with another seed. */
  public Training withSeed(long s) {
    return withLoop(epochs, batchSize, s, shuffle);
  }

  /** These settings with another number of epochs (a cosine schedule keeps its length). */
  public Training withEpochs(int e) {
    return withLoop(e, batchSize, seed, shuffle);
  }

  public Training withSchedule(Schedule s) {
    return new Training(epochs, batchSize, seed, shuffle, clipGradValue, clipGradNorm, s, earlyStopping, augmentation);
  }

  public Training withEarlyStopping(EarlyStopping es) {
    return new Training(epochs, batchSize, seed, shuffle, clipGradValue, clipGradNorm, schedule, es, augmentation);
  }

  public Training withAugmentation(List<Augmentation> a) {
    return new Training(epochs, batchSize, seed, shuffle, clipGradValue, clipGradNorm, schedule, earlyStopping, a);
  }

  public Training withClipping(double value, double norm) {
    return new Training(epochs, batchSize, seed, shuffle, value, norm, schedule, earlyStopping, augmentation);
  }

  /** The monitor something watches (early stopping first), or null when nothing does. */
  public String monitor() {
    if (earlyStopping != null) {
      return earlyStopping.monitor();
    }
    return schedule instanceof Schedule.ReduceOnPlateau p ? p.monitor() : null;
  }
}
