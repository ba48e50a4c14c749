package dev.rosetta.spec;

import java.util.function.Function;

/**
 * Optimizer, with the exact update rules written in docs/spec.md (PyTorch's definitions). Each
 * kind declares its JSON form and value checks in {@code KIND}; backends dispatch through
 * {@link Visitor}.
 */
public sealed interface Optimizer permits Optimizer.Sgd, Optimizer.Adam {

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
  }

  private static <T> Field<T, Double> learningRateField(Function<T, Double> getter) {
    return Field.of("learning_rate", Codec.NUMBER, getter).must(Rule.POSITIVE_FINITE);
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
   * PyTorch's Adam (L2 weight decay added to the gradient, not AdamW): {@code g = grad + wd*w;
   * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; w -= (lr / (1-b1^t)) * m / (sqrt(v) /
   * sqrt(1-b2^t) + eps)}.
   */
  record Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
      implements Optimizer {
    private static final Field<Adam, Double> LEARNING_RATE = learningRateField(Adam::learningRate).orElse(0.001);
    private static final Field<Adam, Double> BETA1 =
        Field.of("beta1", Codec.NUMBER, Adam::beta1).orElse(0.9).must(Rule.FRACTION);
    private static final Field<Adam, Double> BETA2 =
        Field.of("beta2", Codec.NUMBER, Adam::beta2).orElse(0.999).must(Rule.FRACTION);
    private static final Field<Adam, Double> EPSILON =
        Field.of("epsilon", Codec.NUMBER, Adam::epsilon).orElse(1e-8).must(Rule.POSITIVE_FINITE);
    private static final Field<Adam, Double> WEIGHT_DECAY = weightDecayField(Adam::weightDecay);
    public static final Kind<Adam> KIND =
        Kind.of("adam", Adam.class, Schema.of(Adam::new, LEARNING_RATE, BETA1, BETA2, EPSILON, WEIGHT_DECAY));

    public Adam(double learningRate) {
      this(learningRate, 0.9, 0.999, 1e-8, 0);
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
}
