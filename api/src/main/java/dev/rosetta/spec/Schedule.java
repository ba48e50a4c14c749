package dev.rosetta.spec;

/**
 * A learning-rate schedule ({@code training.lr_schedule}): the rate each step uses, from the
 * optimizer's {@code learning_rate}. Each kind declares its JSON form in {@code KIND}; the
 * training loop computes rates through {@link Visitor}, in Java double, the same for every
 * backend.
 */
public sealed interface Schedule permits Schedule.Step, Schedule.Cosine, Schedule.ReduceOnPlateau {

  Kind<? extends Schedule> kind();

  default String type() {
    return kind().name();
  }

  <R> R accept(Visitor<R> visitor);

  /** Checks beyond single fields, given the whole training section and the optimizer. */
  default void check(Training training, Optimizer optimizer, Loss loss, Checks c) {}

  /** One method per schedule kind. */
  interface Visitor<R> {
    R step(Step s);

    R cosine(Cosine s);

    R reduceOnPlateau(ReduceOnPlateau s);
  }

  /**
   * PyTorch's {@code StepLR} stepped once per epoch: epoch {@code e} (1-based) trains at {@code
   * learning_rate * gamma^floor((e - 1) / step_size)}.
   */
  record Step(int stepSize, double gamma) implements Schedule {
    private static final Field<Step, Integer> STEP_SIZE =
        Field.of("step_size", Codec.INT, Step::stepSize).must(Rule.AT_LEAST_ONE);
    private static final Field<Step, Double> GAMMA =
        Field.of("gamma", Codec.NUMBER, Step::gamma).orElse(0.1).must(Rule.POSITIVE_FINITE);
    public static final Kind<Step> KIND = Kind.of("step", Step.class, Schema.of(Step::new, STEP_SIZE, GAMMA));

    @Override
    public Kind<Step> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.step(this);
    }
  }

  /**
   * Cosine decay per step, after an optional linear warm-up: step {@code s} (1-based) of a run
   * with {@code B} batches per epoch trains at {@code learning_rate * s / warmup_steps} while
   * {@code s <= warmup_steps}, then at {@code min_lr + (learning_rate - min_lr) * (1 + cos(pi *
   * k / T)) / 2} with {@code k = min(s - warmup_steps - 1, T)} and {@code T = decay_epochs * B -
   * warmup_steps}: PyTorch's {@code LinearLR} then {@code CosineAnnealingLR(T_max=T)} stepped
   * per batch, held at {@code min_lr} after {@code T} steps.
   *
   * @param decayEpochs the decay's length in epochs; written as the spec's {@code epochs} when
   *     absent, so a run cut short or extended on the command line keeps the spec's curve
   */
  record Cosine(double minLr, int warmupSteps, int decayEpochs) implements Schedule {
    private static final Field<Cosine, Double> MIN_LR =
        Field.of("min_lr", Codec.NUMBER, Cosine::minLr).orElse(0.0).must(Rule.NON_NEGATIVE_FINITE);
    private static final Field<Cosine, Integer> WARMUP_STEPS =
        Field.of("warmup_steps", Codec.INT, Cosine::warmupSteps).orElse(0).must(Rule.NON_NEGATIVE);
    private static final Field<Cosine, Integer> DECAY_EPOCHS =
        Field.of("decay_epochs", Codec.INT, Cosine::decayEpochs).orElse(0).must(Rule.NON_NEGATIVE);
    public static final Kind<Cosine> KIND =
        Kind.of("cosine", Cosine.class, Schema.of(Cosine::new, MIN_LR, WARMUP_STEPS, DECAY_EPOCHS));

    /** This schedule over {@code epochs} when it names no length of its own. */
    Cosine over(int epochs) {
      return decayEpochs == 0 ? new Cosine(minLr, warmupSteps, epochs) : this;
    }

    @Override
    public Kind<Cosine> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.cosine(this);
    }

    @Override
    public void check(Training training, Optimizer optimizer, Loss loss, Checks c) {
      if (minLr >= optimizer.learningRate()) {
        c.error("min_lr", "min_lr must be below the optimizer's learning_rate " + optimizer.learningRate()
            + " (got " + minLr + ")");
      }
    }
  }

  /**
   * Keras's {@code ReduceLROnPlateau}, checked at every epoch end: when {@code monitor} has not
   * improved by more than {@code min_delta} for {@code patience} epochs, the rate is multiplied
   * by {@code factor} (not below {@code min_lr}), then {@code cooldown} epochs pass before
   * counting again.
   */
  record ReduceOnPlateau(
      String monitor, Monitor.Mode mode, double factor, int patience, int cooldown, double minLr, double minDelta)
      implements Schedule {
    private static final Field<ReduceOnPlateau, String> MONITOR =
        Field.of("monitor", Codec.STRING, ReduceOnPlateau::monitor).orElse("val_loss");
    private static final Field<ReduceOnPlateau, Monitor.Mode> MODE =
        Field.of("mode", Codec.oneOf(Monitor.Mode.class), ReduceOnPlateau::mode).orElse(Monitor.Mode.AUTO);
    private static final Field<ReduceOnPlateau, Double> FACTOR =
        Field.of("factor", Codec.NUMBER, ReduceOnPlateau::factor).orElse(0.1)
            .must(Rule.of(v -> v > 0 && v < 1, "must be in (0, 1)"));
    private static final Field<ReduceOnPlateau, Integer> PATIENCE =
        Field.of("patience", Codec.INT, ReduceOnPlateau::patience).orElse(10).must(Rule.NON_NEGATIVE);
    private static final Field<ReduceOnPlateau, Integer> COOLDOWN =
        Field.of("cooldown", Codec.INT, ReduceOnPlateau::cooldown).orElse(0).must(Rule.NON_NEGATIVE);
    private static final Field<ReduceOnPlateau, Double> MIN_LR =
        Field.of("min_lr", Codec.NUMBER, ReduceOnPlateau::minLr).orElse(0.0).must(Rule.NON_NEGATIVE_FINITE);
    private static final Field<ReduceOnPlateau, Double> MIN_DELTA =
        Field.of("min_delta", Codec.NUMBER, ReduceOnPlateau::minDelta).orElse(1e-4).must(Rule.NON_NEGATIVE_FINITE);
    public static final Kind<ReduceOnPlateau> KIND = Kind.of("reduce_on_plateau", ReduceOnPlateau.class,
        Schema.of(ReduceOnPlateau::new, MONITOR, MODE, FACTOR, PATIENCE, COOLDOWN, MIN_LR, MIN_DELTA));

    @Override
    public Kind<ReduceOnPlateau> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.reduceOnPlateau(this);
    }

    @Override
    public void check(Training training, Optimizer optimizer, Loss loss, Checks c) {
      EarlyStopping.checkMonitor(monitor, loss, c);
    }
  }
}
