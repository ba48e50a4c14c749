package dev.rosetta.spec;

/** Training loss; always reduced by the mean over the batch. */
public sealed interface Loss permits Loss.CrossEntropy, Loss.Mse {

  String type();

  /**
   * Softmax cross-entropy computed from logits with integer class labels:
   * {@code mean_i( logsumexp(z_i) - z_i[y_i] )}.
   */
  record CrossEntropy() implements Loss {
    @Override
    public String type() {
      return "cross_entropy";
    }
  }

  /**
   * Mean squared error over every element: {@code mean((y - t)^2)}. With integer class labels
   * the target is the one-hot vector of the label.
   */
  record Mse() implements Loss {
    @Override
    public String type() {
      return "mse";
    }
  }
}
