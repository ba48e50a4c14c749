package dev.rosetta.spec;

/**
 * Training loss; always reduced by the mean over the batch. Each kind declares its JSON form in
 * {@code KIND} and its fit with the model output in {@link #check}; backends and the evaluator
 * dispatch through {@link Visitor}.
 */
public sealed interface Loss permits Loss.CrossEntropy, Loss.Mse {

  /** This record's kind: its JSON name and fields (the record's {@code KIND}). */
  Kind<? extends Loss> kind();

  default String type() {
    return kind().name();
  }

  <R> R accept(Visitor<R> visitor);

  /**
   * Whether the loss trains a classifier on class labels (cross_entropy), as opposed to fitting
   * numeric targets (mse): decides how a table's label column is read and which metrics apply.
   */
  boolean classifies();

  /**
   * Checks the model's output shape (one sample) against what this loss needs.
   *
   * @param lastLayer the name of the layer that produces the output
   */
  default void check(Shape output, String lastLayer, Checks c) {}

  /** One method per loss kind. */
  interface Visitor<R> {
    R crossEntropy(CrossEntropy loss);

    R mse(Mse loss);
  }

  /**
   * Softmax cross-entropy computed from logits with integer class labels:
   * {@code mean_i( logsumexp(z_i) - z_i[y_i] )}.
   */
  record CrossEntropy() implements Loss {
    public static final Kind<CrossEntropy> KIND =
        Kind.of("cross_entropy", CrossEntropy.class, Schema.of(CrossEntropy::new));

    @Override
    public Kind<CrossEntropy> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.crossEntropy(this);
    }

    @Override
    public boolean classifies() {
      return true;
    }

    @Override
    public void check(Shape out, String last, Checks c) {
      if (out.rank() != 1) {
        c.error(null, "shape mismatch: cross_entropy needs one logit vector per sample, but the last layer '"
            + last + "' outputs " + out + " (add a flatten or dense layer)");
      } else if (out.dim(0) < 2) {
        c.error(null, "shape mismatch: cross_entropy needs at least 2 classes, but the last layer '"
            + last + "' outputs " + out);
      }
    }
  }

  /**
   * Mean squared error over every element: {@code mean((y - t)^2)}. With integer class labels
   * the target is the one-hot vector of the label.
   */
  record Mse() implements Loss {
    public static final Kind<Mse> KIND = Kind.of("mse", Mse.class, Schema.of(Mse::new));

    @Override
    public Kind<Mse> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.mse(this);
    }

    @Override
    public boolean classifies() {
      return false;
    }
  }
}
