package dev.rosetta.spec;

import java.util.function.Function;

/**
 * Optimizer, with the exact update rules written in docs/spec.md (PyTorch's definitions). Each
 * kind declares its JSON form and value checks in {@code KIND}; backends dispatch through
 * {@link Visitor}.
 */
public sealed interface Optimizer permits Optimizer.Sgd, Optimizer.Adam, Optimizer.AdamW {

  double learningRate();

  double weightDecay();

  /** This record's kind: its JSON name and fields (the record's {@code KIND}). */
  Kind<? extends Optimizer> kind();

  default String type() {
    return kind().name();
  }

  <R> R accept(Visitor<R> visitor);

  /** Checks across fields; each field's own range is checked from its declaration. */
  default void check(Checks c) {}

  /** One method per optimizer kind. */
  interface Visitor<R> {
    R sgd(Sgd optimizer);

    R adam(Adam optimizer);

    R adamW(AdamW optimizer);
  }

  private static <T> Field<T, Double> learningRateField(Function<T, Double> getter) {
    return Field.of("learning_rate", Codec.NUMBER, getter).must(Rule.POSITIVE_FINITE);
  }

  private static <T> Field<T, Double> beta1Field(Function<T, Double> getter) {
    return Field.of("beta1", Codec.NUMBER, getter).orElse(0.9).must(Rule.FRACTION);
  }

  private static <T> Field<T, Double> beta2Field(Function<T, Double> getter) {
    return Field.of("beta2", Codec.NUMBER, getter).orElse(0.999).must(Rule.FRACTION);
  }

  private static <T> Field<T, Double> epsilonField(Function<T, Double> getter) {
    return Field.of("epsilon", Codec.NUMBER, getter).orElse(1e-8).must(Rule.POSITIVE_FINITE);
  }

  private static <T> Field<T, Double> weightDecayField(Function<T, Double> getter) {
    return Field.of("weight_decay", Codec.NUMBER, getter).orElse(0.0).must(Rule.NON_NEGATIVE_FINITE);
  }

  /**
   * {@code g = grad + wd*w; b = momentum*b + g; g = nesterov ? g + momentum*b : b; w -= lr*g}
   * (with {@code b} starting at zero; momentum 0 is plain SGD).
   */
  record Sgd(double learningRate, double momentum, double weightDecay, boolean nesterov) implements Optimizer {
    private static final Field<Sgd, Double> LEARNING_RATE = learningRateField(Sgd::learningRate);
    private static final Field<Sgd, Double> MOMENTUM =
        Field.of("momentum", Codec.NUMBER, Sgd::momentum).orElse(0.0).must(Rule.FRACTION);
    private static final Field<Sgd, Double> WEIGHT_DECAY = weightDecayField(Sgd::weightDecay);
    private static final Field<Sgd, Boolean> NESTEROV = Field.of("nesterov", Codec.BOOL, Sgd::nesterov).orElse(false);
    public static final Kind<Sgd> KIND =
        Kind.of("sgd", Sgd.class, Schema.of(Sgd::new, LEARNING_RATE, MOMENTUM, WEIGHT_DECAY, NESTEROV));

    public Sgd(double learningRate) {
      this(learningRate, 0, 0, false);
    }

    @Override
    public Kind<Sgd> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.sgd(this);
    }

    @Override
    public void check(Checks c) {
      if (nesterov && momentum == 0) {
        c.error("nesterov", "nesterov needs momentum > 0");
      }
    }
  }

  /**
   * Adam. The {@code pytorch} variant is {@code torch.optim.Adam} (L2 weight decay added to the
   * gradient, not AdamW): {@code g = grad + wd*w; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
   * w -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)}. The {@code keras} variant is the
   * function {@code keras.optimizers.Adam} computes, epsilon added to the uncorrected root: {@code
   * w -= (lr * sqrt(1-b2^t) / (1-b1^t)) * m / (sqrt(v) + eps)}, the same m and v; a model tuned
   * in Keras trains the same way here. The two differ only where sqrt(v) is near epsilon.
   */
  record Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay, Variant variant)
      implements Optimizer {
    /** Where epsilon enters: PyTorch's bias-corrected root, or Keras's uncorrected one. */
    public enum Variant implements Codec.Named {
      PYTORCH,
      KERAS;
    }

    private static final Field<Adam, Double> LEARNING_RATE = learningRateField(Adam::learningRate).orElse(0.001);
    private static final Field<Adam, Double> BETA1 = beta1Field(Adam::beta1);
    private static final Field<Adam, Double> BETA2 = beta2Field(Adam::beta2);
    private static final Field<Adam, Double> EPSILON = epsilonField(Adam::epsilon);
    private static final Field<Adam, Double> WEIGHT_DECAY = weightDecayField(Adam::weightDecay);
    private static final Field<Adam, Variant> VARIANT =
        Field.of("variant", Codec.oneOf(Variant.class), Adam::variant).orElse(Variant.PYTORCH);
    public static final Kind<Adam> KIND =
        Kind.of("adam", Adam.class, Schema.of(Adam::new, LEARNING_RATE, BETA1, BETA2, EPSILON, WEIGHT_DECAY, VARIANT));

    public Adam(double learningRate) {
      this(learningRate, 0.9, 0.999, 1e-8, 0, Variant.PYTORCH);
    }

    public Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
      this(learningRate, beta1, beta2, epsilon, weightDecay, Variant.PYTORCH);
    }

    @Override
    public Kind<Adam> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.adam(this);
    }
  }

  /**
   * PyTorch's AdamW: decoupled weight decay, applied to the weights before the Adam step and
   * not through the gradient: {@code w = w * (1 - lr*wd); m = b1*m + (1-b1)*grad; v = b2*v +
   * (1-b2)*grad^2; w -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)}. Default weight
   * decay 0.01, as {@code torch.optim.AdamW}.
   */
  record AdamW(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) implements Optimizer {
    private static final Field<AdamW, Double> LEARNING_RATE = learningRateField(AdamW::learningRate).orElse(0.001);
    private static final Field<AdamW, Double> BETA1 = beta1Field(AdamW::beta1);
    private static final Field<AdamW, Double> BETA2 = beta2Field(AdamW::beta2);
    private static final Field<AdamW, Double> EPSILON = epsilonField(AdamW::epsilon);
    private static final Field<AdamW, Double> WEIGHT_DECAY =
        Field.of("weight_decay", Codec.NUMBER, AdamW::weightDecay).orElse(0.01).must(Rule.NON_NEGATIVE_FINITE);
    public static final Kind<AdamW> KIND =
        Kind.of("adamw", AdamW.class, Schema.of(AdamW::new, LEARNING_RATE, BETA1, BETA2, EPSILON, WEIGHT_DECAY));

    @Override
    public Kind<AdamW> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.adamW(this);
    }
  }
}
