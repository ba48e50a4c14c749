package dev.rosetta.spec;

/**
 * Early stopping ({@code training.early_stopping}) with Keras's semantics, checked at every
 * epoch end from epoch {@code start_from_epoch + 1} on: an epoch improves when {@code monitor}
 * beats the best so far by more than {@code min_delta}; after {@code patience} epochs without
 * improvement (and never before the second epoch) training stops. With {@code
 * restore_best_weights} the model then goes back to the best epoch's weights. Whenever a monitor
 * is set the run keeps {@code best.safetensors}, the weights of the best epoch so far.
 */
public record EarlyStopping(
    String monitor, Monitor.Mode mode, double minDelta, int patience, boolean restoreBestWeights, int startFromEpoch) {
  private static final Field<EarlyStopping, String> MONITOR =
      Field.of("monitor", Codec.STRING, EarlyStopping::monitor).orElse("val_loss");
  private static final Field<EarlyStopping, Monitor.Mode> MODE =
      Field.of("mode", Codec.oneOf(Monitor.Mode.class), EarlyStopping::mode).orElse(Monitor.Mode.AUTO);
  private static final Field<EarlyStopping, Double> MIN_DELTA =
      Field.of("min_delta", Codec.NUMBER, EarlyStopping::minDelta).orElse(0.0).must(Rule.NON_NEGATIVE_FINITE);
  private static final Field<EarlyStopping, Integer> PATIENCE =
      Field.of("patience", Codec.INT, EarlyStopping::patience).orElse(0).must(Rule.NON_NEGATIVE);
  private static final Field<EarlyStopping, Boolean> RESTORE_BEST_WEIGHTS =
      Field.of("restore_best_weights", Codec.BOOL, EarlyStopping::restoreBestWeights).orElse(false);
  private static final Field<EarlyStopping, Integer> START_FROM_EPOCH =
      Field.of("start_from_epoch", Codec.INT, EarlyStopping::startFromEpoch).orElse(0).must(Rule.NON_NEGATIVE);

  /** The JSON form of {@code "training.early_stopping"}. */
  public static final Schema<EarlyStopping> SCHEMA = Schema.of(
      EarlyStopping::new, MONITOR, MODE, MIN_DELTA, PATIENCE, RESTORE_BEST_WEIGHTS, START_FROM_EPOCH);

  /** Watches {@code monitor} with Keras's defaults otherwise. */
  public static EarlyStopping on(String monitor, int patience) {
    return new EarlyStopping(monitor, Monitor.Mode.AUTO, 0, patience, false, 0);
  }

  /** Whether {@code monitor} improves upward. */
  public boolean maximize() {
    return Monitor.maximize(mode, monitor);
  }

  void check(Loss loss, Checks c) {
    checkMonitor(monitor, loss, c);
  }

  /** A monitor must name a figure the run computes for this loss. */
  static void checkMonitor(String monitor, Loss loss, Checks c) {
    if (!Monitor.names(loss).contains(monitor)) {
      c.error("monitor", "monitor \"" + monitor + "\" is not computed for a " + loss.type() + " model (it can watch: "
          + String.join(", ", Monitor.names(loss)) + ")");
    }
  }
}
