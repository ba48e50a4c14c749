package dev.rosetta.spec;

/** Optimizer, with the exact update rules written in docs/spec.md (PyTorch's definitions). */
public sealed interface Optimizer permits Optimizer.Sgd, Optimizer.Adam {

  String type();

  double learningRate();

  double weightDecay();

  /**
   * {@code g = grad + wd*w; b = momentum*b + g; g = nesterov ? g + momentum*b : b; w -= lr*g}
   * (with {@code b} starting at zero; momentum 0 is plain SGD).
   */
  record Sgd(double learningRate, double momentum, double weightDecay, boolean nesterov)
      implements Optimizer {
    public Sgd(double learningRate) {
      this(learningRate, 0, 0, false);
    }

    @Override
    public String type() {
      return "sgd";
    }
  }

  /**
   * PyTorch's Adam (L2 weight decay added to the gradient, not AdamW): {@code g = grad + wd*w;
   * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; w -= (lr / (1-b1^t)) * m / (sqrt(v) /
   * sqrt(1-b2^t) + eps)}.
   */
  record Adam(double learningRate, double beta1, double beta2, double epsilon, double weightDecay)
      implements Optimizer {
    public Adam(double learningRate) {
      this(learningRate, 0.9, 0.999, 1e-8, 0);
    }

    @Override
    public String type() {
      return "adam";
    }
  }
}
