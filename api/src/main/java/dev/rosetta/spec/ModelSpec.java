package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The framework-neutral model: Rosetta's one IR. Immutable; build it with {@link #builder()} or
 * read it with {@link SpecJson}. Every constant is explicit so that each lowering computes the
 * same function.
 *
 * @param name model name, free text
 * @param input shape of one sample, without the batch axis (NCHW layout for images); for token
 *     ids {@code [T]}, the longest sequence the model takes
 * @param inputType float32 features, or int64 token ids for an {@code embedding} to read
 * @param layers in execution order; each comes after the layers it reads, the last is the output
 * @param connections the inputs of each layer that names them ({@code "inputs"} in JSON); a layer
 *     absent here reads the previous layer, or the model input ({@link #INPUT}) if it is first
 * @param preprocess how a table's columns become the input vector, or null for data that is
 *     already numbers of the input shape (images, numeric CSV)
 * @param options each layer's training options ({@link LayerOptions}) where they differ from the
 *     default
 */
public record ModelSpec(
    String name,
    Shape input,
    DType inputType,
    List<Layer> layers,
    Map<String, List<String>> connections,
    Loss loss,
    Optimizer optimizer,
    Training training,
    Preprocess preprocess,
    Map<String, LayerOptions> options) {

  /** The format tag every spec file carries. */
  public static final String FORMAT = "rosetta/v1";

  /** The name by which a layer reads the model input. No layer may be called this. */
  public static final String INPUT = "input";

  public ModelSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(inputType, "inputType");
    layers = List.copyOf(layers);
    Map<String, List<String>> copy = new LinkedHashMap<>();
    connections.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    connections = java.util.Collections.unmodifiableMap(copy);
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(training, "training");
    Map<String, LayerOptions> opts = new LinkedHashMap<>();
    options.forEach((k, v) -> {
      if (!v.equals(LayerOptions.DEFAULT)) {
        opts.put(k, v);
      }
    });
    options = java.util.Collections.unmodifiableMap(opts);
  }

  /** A model on float32 input. */
  public ModelSpec(
      String name, Shape input, List<Layer> layers, Map<String, List<String>> connections, Loss loss,
      Optimizer optimizer, Training training, Preprocess preprocess, Map<String, LayerOptions> options) {
    this(name, input, DType.FLOAT32, layers, connections, loss, optimizer, training, preprocess, options);
  }

  /** A spec without a {@code preprocess} section, every layer trained alike. */
  public ModelSpec(
      String name, Shape input, DType inputType, List<Layer> layers, Map<String, List<String>> connections, Loss loss,
      Optimizer optimizer, Training training) {
    this(name, input, inputType, layers, connections, loss, optimizer, training, null, Map.of());
  }

  /** A spec on float32 input without a {@code preprocess} section, every layer trained alike. */
  public ModelSpec(
      String name, Shape input, List<Layer> layers, Map<String, List<String>> connections, Loss loss,
      Optimizer optimizer, Training training) {
    this(name, input, DType.FLOAT32, layers, connections, loss, optimizer, training);
  }

  /** A plain stack on float32 input: every layer reads the one before it. */
  public ModelSpec(
      String name, Shape input, List<Layer> layers, Loss loss, Optimizer optimizer, Training training) {
    this(name, input, DType.FLOAT32, layers, Map.of(), loss, optimizer, training);
  }

  /** Whether the model reads int64 token ids rather than float32 features. */
  public boolean takesTokens() {
    return inputType == DType.INT64;
  }

  /**
   * Validates this spec.
   *
   * @return the checked spec, with every layer's shapes and parameters
   * @throws SpecException listing every error
   */
  public CheckedSpec check() {
    ValidationReport report = SpecValidator.validate(this);
    return report.checkedSpec().orElseThrow(() -> new SpecException("spec '" + name + "'", report.issues()));
  }

  public ModelSpec withTraining(Training t) {
    return new ModelSpec(name, input, inputType, layers, connections, loss, optimizer, t, preprocess, options);
  }

  /** The same model under another name. */
  public ModelSpec withName(String n) {
    return new ModelSpec(n, input, inputType, layers, connections, loss, optimizer, training, preprocess, options);
  }

  public ModelSpec withOptimizer(Optimizer o) {
    return new ModelSpec(name, input, inputType, layers, connections, loss, o, training, preprocess, options);
  }

  public ModelSpec withPreprocess(Preprocess p) {
    return new ModelSpec(name, input, inputType, layers, connections, loss, optimizer, training, p, options);
  }

  /** The same model with these per-layer options (replacing all others). */
  public ModelSpec withOptions(Map<String, LayerOptions> o) {
    return new ModelSpec(name, input, inputType, layers, connections, loss, optimizer, training, preprocess, o);
  }

  /** The training options of the named layer: its own, or the default. */
  public LayerOptions optionsOf(String layer) {
    return options.getOrDefault(layer, LayerOptions.DEFAULT);
  }

  /**
   * The names layer {@code index} reads: its explicit {@code inputs}, else {@link
   * #previousOf(int)}.
   */
  public List<String> inputsOf(int index) {
    List<String> explicit = connections.get(layers.get(index).name());
    return explicit != null ? explicit : previousOf(index);
  }

  /** What layer {@code index} reads by default: the layer before it, or {@link #INPUT}. */
  public List<String> previousOf(int index) {
    return List.of(index == 0 ? INPUT : layers.get(index - 1).name());
  }

  /** True when some layer reads something other than its predecessor: a graph, not a stack. */
  public boolean isGraph() {
    for (int i = 0; i < layers.size(); i++) {
      if (!inputsOf(i).equals(previousOf(i))) {
        return true;
      }
    }
    return false;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Java builder: {@code setX} for required parts, {@code optX} for optional ones. */
  public static final class Builder {
    private String name = "model";
    private Shape input;
    private DType inputType = DType.FLOAT32;
    private final List<Layer> layers = new ArrayList<>();
    private final Map<String, List<String>> connections = new LinkedHashMap<>();
    private Loss loss;
    private Optimizer optimizer;
    private Training training = Training.DEFAULT;
    private Preprocess preprocess;
    private final Map<String, LayerOptions> options = new LinkedHashMap<>();

    public Builder optName(String name) {
      this.name = name;
      return this;
    }

    public Builder setInput(int... shape) {
      this.input = Shape.of(shape);
      this.inputType = DType.FLOAT32;
      return this;
    }

    /** Input of int64 token ids, sequences of up to {@code length} tokens: {@code [length]}. */
    public Builder setTokenInput(int length) {
      this.input = Shape.of(length);
      this.inputType = DType.INT64;
      return this;
    }

    public Builder add(Layer layer) {
      layers.add(layer);
      return this;
    }

    /**
     * Adds a layer that reads the named layers (or {@link ModelSpec#INPUT}) instead of the
     * previous one: a branch, a skip connection or a join.
     */
    public Builder add(Layer layer, String... inputs) {
      layers.add(layer);
      connections.put(layer.name(), List.of(inputs));
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

    /** Exact GELU (the erf form). */
    public Builder gelu(String name) {
      return add(new Layer.Gelu(name));
    }

    public Builder gelu(String name, Layer.Gelu.Approximation approximate) {
      return add(new Layer.Gelu(name, approximate));
    }

    public Builder silu(String name) {
      return add(new Layer.Silu(name));
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

    /** Batch norm with PyTorch's defaults: momentum 0.1, epsilon 1e-5. */
    public Builder batchNorm(String name) {
      return add(new Layer.BatchNorm(name));
    }

    /** Layer norm over the last axis, epsilon 1e-5. */
    public Builder layerNorm(String name) {
      return add(new Layer.LayerNorm(name));
    }

    /** Element-wise sum of the named layers' outputs. */
    public Builder addOf(String name, String... inputs) {
      return add(new Layer.Add(name), inputs);
    }

    /** The named layers' outputs concatenated along sample axis {@code axis}. */
    public Builder concat(String name, int axis, String... inputs) {
      return add(new Layer.Concat(name, axis), inputs);
    }

    /** Training options for the named layer (freezing, learning-rate multiplier, penalties). */
    public Builder configure(String layer, LayerOptions o) {
      options.put(layer, o);
      return this;
    }

    /** Freezes the named layers (batch norm in inference mode). */
    public Builder freeze(String... layers) {
      for (String l : layers) {
        options.put(l, options.getOrDefault(l, LayerOptions.DEFAULT).withTrainable(false));
      }
      return this;
    }

    public Builder embedding(String name, int vocabSize, int dim) {
      return add(new Layer.Embedding(name, vocabSize, dim));
    }

    public Builder positionEmbedding(String name, int maxLength) {
      return add(new Layer.PositionEmbedding(name, maxLength));
    }

    /** Self-attention with PyTorch's defaults (biases, no dropout). */
    public Builder attention(String name, int numHeads, boolean causal) {
      return add(new Layer.MultiHeadAttention(name, numHeads, causal));
    }

    public Builder setLoss(Loss loss) {
      this.loss = loss;
      return this;
    }

    public Builder setOptimizer(Optimizer optimizer) {
      this.optimizer = optimizer;
      return this;
    }

    /** Training settings with every control (schedule, early stopping, clipping, augmentation). */
    public Builder optTraining(Training training) {
      this.training = training;
      return this;
    }

    public Builder optTraining(int epochs, int batchSize, long seed, boolean shuffle) {
      this.training = new Training(epochs, batchSize, seed, shuffle);
      return this;
    }

    /** How a table's columns become the input vector (see {@link Preprocess}). */
    public Builder optPreprocess(Preprocess preprocess) {
      this.preprocess = preprocess;
      return this;
    }

    /**
     * Builds and validates the spec.
     *
     * @throws SpecException listing every error, as for a JSON spec
     */
    public CheckedSpec build() {
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
      ModelSpec spec = new ModelSpec(name, input, inputType, layers, connections, loss, optimizer, training, preprocess, options);
      ValidationReport report = SpecValidator.validate(spec);
      return report.checkedSpec().orElseThrow(() -> new SpecException("builder", report.issues()));
    }
  }
}
