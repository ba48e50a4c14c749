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
   * Softmax cross-entropy computed from logits with integer class labels, PyTorch's
   * CrossEntropyLoss: {@code mean_i( sum_k q_ik (logsumexp(z_i) - z_ik) )} with the target
   * distribution {@code q_i = (1 - s) onehot(y_i) + s / K} for label smoothing {@code s} (0: the
   * plain {@code logsumexp(z_i) - z_i[y_i]}). The output is one logit vector per sample ({@code
   * [C]}, one label per sample) or one per position ({@code [T, C]}, T labels per sample: a
   * sequence model's next-token loss), the mean over every labelled position. With {@code
   * ignore_index}, a label equal to it counts neither in the sum nor in the count, as PyTorch's
   * {@code ignore_index}; a batch whose every label is ignored has loss 0 (PyTorch: NaN). Label
   * smoothing is for one label per sample without {@code ignore_index}; validation refuses the
   * other combinations.
   *
   * @param ignoreIndex the label to leave out, or null (the default) for none
   */
  record CrossEntropy(double labelSmoothing, Integer ignoreIndex) implements Loss {
    private static final Field<CrossEntropy, Double> LABEL_SMOOTHING =
        Field.of("label_smoothing", Codec.NUMBER, CrossEntropy::labelSmoothing).orElse(0.0).must(Rule.FRACTION);
    private static final Field<CrossEntropy, Integer> IGNORE_INDEX =
        Field.of("ignore_index", Codec.INT, CrossEntropy::ignoreIndex).optional();
    public static final Kind<CrossEntropy> KIND =
        Kind.of("cross_entropy", CrossEntropy.class, Schema.of(CrossEntropy::new, LABEL_SMOOTHING, IGNORE_INDEX));

    /** No label smoothing, every label counts. */
    public CrossEntropy() {
      this(0, null);
    }

    /** Label smoothing {@code s}, every label counts. */
    public CrossEntropy(double labelSmoothing) {
      this(labelSmoothing, null);
    }

    /** No label smoothing; labels equal to {@code ignoreIndex} left out. */
    public static CrossEntropy ignoring(int ignoreIndex) {
      return new CrossEntropy(0, ignoreIndex);
    }

    /**
     * The target distribution over {@code classes} for {@code label}, as float32: {@code (1 - s)
     * + s / K} at the label, {@code s / K} elsewhere.
     */
    public void targets(int label, float[] into, int offset, int classes) {
      float off = (float) (labelSmoothing / classes);
      float on = (float) (1 - labelSmoothing + labelSmoothing / classes);
      for (int k = 0; k < classes; k++) {
        into[offset + k] = k == label ? on : off;
      }
    }

    /** Whether {@code label} is left out of the loss (and of accuracy). */
    public boolean ignores(int label) {
      return ignoreIndex != null && ignoreIndex == label;
    }

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
      if (out.rank() != 1 && out.rank() != 2) {
        c.error(null, "shape mismatch: cross_entropy needs one logit vector per sample ([classes]) or per position"
            + " ([positions, classes]), but the last layer '" + last + "' outputs " + out + " (add a flatten or dense layer)");
      } else if (out.dim(-1) < 2) {
        c.error(null, "shape mismatch: cross_entropy needs at least 2 classes, but the last layer '"
            + last + "' outputs " + out);
      } else if (labelSmoothing != 0 && (out.rank() == 2 || ignoreIndex != null)) {
        c.error("label_smoothing", "label_smoothing is for one label per sample without ignore_index, but "
            + (ignoreIndex != null ? "ignore_index is set" : "the last layer '" + last + "' outputs one label per position " + out)
            + " (set label_smoothing to 0)");
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
