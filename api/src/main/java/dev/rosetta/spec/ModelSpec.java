package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The framework-neutral model: Rosetta's one IR. Immutable; build it with {@link #builder()} or
 * read it with {@link SpecJson}. Every constant is explicit so that each lowering computes the
 * same function.
 *
 * @param name model name, free text
 * @param input shape of one sample, without the batch axis (NCHW layout for images)
 * @param layers applied in order
 */
public record ModelSpec(
    String name, Shape input, List<Layer> layers, Loss loss, Optimizer optimizer, Training training) {

  /** The format tag every spec file carries. */
  public static final String FORMAT = "rosetta/v1";

  public ModelSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(input, "input");
    layers = List.copyOf(layers);
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(training, "training");
  }

  public ModelSpec withTraining(Training t) {
    return new ModelSpec(name, input, layers, loss, optimizer, t);
  }

  public ModelSpec withOptimizer(Optimizer o) {
    return new ModelSpec(name, input, layers, loss, o, training);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Java builder: {@code setX} for required parts, {@code optX} for optional ones. */
  public static final class Builder {
    private String name = "model";
    private Shape input;
    private final List<Layer> layers = new ArrayList<>();
    private Loss loss;
    private Optimizer optimizer;
    private Training training = Training.DEFAULT;

    public Builder optName(String name) {
      this.name = name;
      return this;
    }

    public Builder setInput(int... shape) {
      this.input = Shape.of(shape);
      return this;
    }

    public Builder add(Layer layer) {
      layers.add(layer);
      return this;
    }

    public Builder dense(String name, int units) {
      return add(new Layer.Dense(name, units));
    }

    public Builder relu(String name) {
      return add(new Layer.Relu(name));
    }

    public Builder sigmoid(String name) {
      return add(new Layer.Sigmoid(name));
    }

    public Builder tanh(String name) {
      return add(new Layer.Tanh(name));
    }

    public Builder softmax(String name) {
      return add(new Layer.Softmax(name));
    }

    public Builder flatten(String name) {
      return add(new Layer.Flatten(name));
    }

    public Builder dropout(String name, double rate) {
      return add(new Layer.Dropout(name, rate));
    }

    public Builder leakyRelu(String name, double negativeSlope) {
      return add(new Layer.LeakyRelu(name, negativeSlope));
    }

    public Builder elu(String name, double alpha) {
      return add(new Layer.Elu(name, alpha));
    }

    public Builder gelu(String name) {
      return add(new Layer.Gelu(name));
    }

    /** Reshape of each sample (no batch axis); one entry may be -1. */
    public Builder reshape(String name, int... shape) {
      return add(new Layer.Reshape(name, shape));
    }

    /** A conv2d with stride 1, no padding, no dilation, one group and a bias. */
    public Builder conv2d(String name, int filters, int kernel) {
      return add(new Layer.Conv2d(name, filters, kernel));
    }

    /** Max pooling, stride = kernel, no padding. */
    public Builder maxPool2d(String name, int kernel) {
      return add(new Layer.MaxPool2d(name, kernel));
    }

    /** Average pooling, stride = kernel, no padding. */
    public Builder avgPool2d(String name, int kernel) {
      return add(new Layer.AvgPool2d(name, kernel));
    }

    public Builder globalAvgPool2d(String name) {
      return add(new Layer.GlobalAvgPool2d(name));
    }

    public Builder setLoss(Loss loss) {
      this.loss = loss;
      return this;
    }

    public Builder setOptimizer(Optimizer optimizer) {
      this.optimizer = optimizer;
      return this;
    }

    public Builder optTraining(int epochs, int batchSize, long seed, boolean shuffle) {
      this.training = new Training(epochs, batchSize, seed, shuffle);
      return this;
    }

    /**
     * Builds and validates the spec.
     *
     * @throws SpecException listing every error, as for a JSON spec
     */
    public ModelSpec build() {
      List<SpecIssue> missing = new ArrayList<>();
      if (input == null) {
        missing.add(SpecIssue.error("$.input", null, "input shape is required (setInput)"));
      }
      if (loss == null) {
        missing.add(SpecIssue.error("$.loss", null, "loss is required (setLoss)"));
      }
      if (optimizer == null) {
        missing.add(SpecIssue.error("$.optimizer", null, "optimizer is required (setOptimizer)"));
      }
      if (!missing.isEmpty()) {
        throw new SpecException("builder", missing);
      }
      ModelSpec spec = new ModelSpec(name, input, layers, loss, optimizer, training);
      ValidationReport report = SpecValidator.validate(spec);
      if (report.hasErrors()) {
        throw new SpecException("builder", report.issues());
      }
      return spec;
    }
  }
}
