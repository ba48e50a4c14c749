package dev.rosetta.spec;

/**
 * How training treats one layer's parameters, written on the layer's JSON object beside its
 * kind's fields: {@code {"type": "dense", "name": "fc1", "units": 128, "trainable": false}}. Any
 * layer kind may carry them; the validator warns where a layer has nothing they could apply to.
 *
 * @param trainable false freezes the layer: its parameters get no update (no gradient step, no
 *     weight decay, no optimizer state), as {@code requires_grad=False} in PyTorch and {@code
 *     trainable=False} in Keras
 * @param lrMultiplier the layer's learning rate is the optimizer's (or the schedule's) times this
 * @param l1 adds {@code l1 * sum|W|} over the layer's kernel to the training loss
 * @param l2 adds {@code l2 * sum W^2} over the layer's kernel to the training loss (Keras's {@code
 *     regularizers.L2}: no factor 1/2)
 * @param frozenMode what a frozen {@code batch_norm} computes in training: {@code inference}
 *     (normalise with the running statistics and leave them alone: Keras's frozen BatchNormalization
 *     and PyTorch's {@code bn.eval()}) or {@code training} (batch statistics, running averages
 *     still updated: PyTorch's {@code requires_grad_(False)} alone)
 */
public record LayerOptions(boolean trainable, double lrMultiplier, double l1, double l2, FrozenMode frozenMode) {
  /** What a frozen batch_norm does during training. */
  public enum FrozenMode implements Codec.Named {
    INFERENCE,
    TRAINING;
  }

  /** Trained like every layer: no options written. */
  public static final LayerOptions DEFAULT = new LayerOptions(true, 1, 0, 0, FrozenMode.INFERENCE);

  private static final Field<LayerOptions, Boolean> TRAINABLE =
      Field.of("trainable", Codec.BOOL, LayerOptions::trainable).orElse(true);
  private static final Field<LayerOptions, Double> LR_MULTIPLIER =
      Field.of("lr_multiplier", Codec.NUMBER, LayerOptions::lrMultiplier).orElse(1.0).must(Rule.POSITIVE_FINITE);
  private static final Field<LayerOptions, Double> L1 =
      Field.of("l1", Codec.NUMBER, LayerOptions::l1).orElse(0.0).must(Rule.NON_NEGATIVE_FINITE);
  private static final Field<LayerOptions, Double> L2 =
      Field.of("l2", Codec.NUMBER, LayerOptions::l2).orElse(0.0).must(Rule.NON_NEGATIVE_FINITE);
  private static final Field<LayerOptions, FrozenMode> FROZEN_MODE =
      Field.of("frozen_mode", Codec.oneOf(FrozenMode.class), LayerOptions::frozenMode).orElse(FrozenMode.INFERENCE);

  /** The keys, read from and written to the layer's own object. */
  public static final Schema<LayerOptions> SCHEMA =
      Schema.of(LayerOptions::new, TRAINABLE, LR_MULTIPLIER, L1, L2, FROZEN_MODE);

  /** A frozen layer (batch norm in inference mode). */
  public static LayerOptions frozen() {
    return DEFAULT.withTrainable(false);
  }

  public LayerOptions withTrainable(boolean t) {
    return new LayerOptions(t, lrMultiplier, l1, l2, frozenMode);
  }

  public LayerOptions withLrMultiplier(double m) {
    return new LayerOptions(trainable, m, l1, l2, frozenMode);
  }

  public LayerOptions withPenalties(double l1, double l2) {
    return new LayerOptions(trainable, lrMultiplier, l1, l2, frozenMode);
  }

  public LayerOptions withFrozenMode(FrozenMode m) {
    return new LayerOptions(trainable, lrMultiplier, l1, l2, m);
  }

  /** Whether a batch norm with these options normalises with its running statistics in training. */
  public boolean batchNormInInferenceMode() {
    return !trainable && frozenMode == FrozenMode.INFERENCE;
  }

  /** Whether a penalty applies. */
  public boolean penalised() {
    return l1 != 0 || l2 != 0;
  }
}
