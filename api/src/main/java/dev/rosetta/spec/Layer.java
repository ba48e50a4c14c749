package dev.rosetta.spec;

import java.util.List;

/**
 * One layer of a model spec. Every layer kind is a record under this sealed interface, so each
 * lowering's exhaustive {@code switch} names every place a new kind must be handled.
 */
public sealed interface Layer
    permits Layer.Dense, Layer.Relu, Layer.Sigmoid, Layer.Tanh, Layer.Softmax, Layer.Flatten,
        Layer.Dropout, Layer.LeakyRelu, Layer.Elu, Layer.Gelu, Layer.Reshape, Layer.Conv2d, Layer.MaxPool2d,
        Layer.AvgPool2d, Layer.GlobalAvgPool2d, Layer.BatchNorm, Layer.LayerNorm, Layer.Add,
        Layer.Concat {

  /** Unique name; parameters are called {@code <name>.<param>}. */
  String name();

  /** The spec type name as written in JSON. */
  String type();

  /** Double dispatch: Java 17 has no pattern switch, and a visitor keeps lowerings exhaustive. */
  <R> R accept(Visitor<R> visitor);

  /**
   * One method per layer kind. Every lowering, shape inference and validation implement it, so a
   * new kind cannot be added without the compiler pointing at each of them.
   */
  interface Visitor<R> {
    R dense(Dense layer);

    R relu(Relu layer);

    R sigmoid(Sigmoid layer);

    R tanh(Tanh layer);

    R softmax(Softmax layer);

    R flatten(Flatten layer);

    R dropout(Dropout layer);

    R leakyRelu(LeakyRelu layer);

    R elu(Elu layer);

    R gelu(Gelu layer);

    R reshape(Reshape layer);

    R conv2d(Conv2d layer);

    R maxPool2d(MaxPool2d layer);

    R avgPool2d(AvgPool2d layer);

    R globalAvgPool2d(GlobalAvgPool2d layer);

    R batchNorm(BatchNorm layer);

    R layerNorm(LayerNorm layer);

    R add(Add layer);

    R concat(Concat layer);
  }

  /** A (height, width) pair: kernel size, stride or dilation of a 2-D layer. */
  record Hw(int h, int w) {
    public static Hw of(int both) {
      return new Hw(both, both);
    }

    @Override
    public String toString() {
      return "[" + h + ", " + w + "]";
    }
  }

  /**
   * Spatial padding of a 2-D layer. {@code same} keeps H and W (stride 1 only) and is resolved
   * as PyTorch resolves it: total {@code dilation * (kernel - 1)} per axis, {@code total / 2}
   * before and the rest (the odd extra) after, i.e. on the bottom/right. Otherwise {@code h}
   * rows are added on top and bottom and {@code w} columns on left and right ("valid" is 0).
   */
  record Padding(boolean same, int h, int w) {
    public Padding {
      // "same" carries no amounts; zeroing them keeps equal paddings equal records.
      if (same) {
        h = 0;
        w = 0;
      }
    }

    public static Padding explicit(int h, int w) {
      return new Padding(false, h, w);
    }

    public static Padding sameAsInput() {
      return new Padding(true, 0, 0);
    }

    /** Rows before (top) for a kernel extent {@code k} and dilation {@code d}. */
    public int top(int k, int d) {
      return same ? d * (k - 1) / 2 : h;
    }

    public int bottom(int k, int d) {
      return same ? d * (k - 1) - d * (k - 1) / 2 : h;
    }

    public int left(int k, int d) {
      return same ? d * (k - 1) / 2 : w;
    }

    public int right(int k, int d) {
      return same ? d * (k - 1) - d * (k - 1) / 2 : w;
    }

    @Override
    public String toString() {
      return same ? "\"same\"" : "[" + h + ", " + w + "]";
    }
  }

  /**
   * 2-D cross-correlation on an NCHW sample {@code [C, H, W]}, PyTorch's Conv2d: weight {@code
   * [filters, C / groups, kh, kw]} (OIHW), bias {@code [filters]}, output {@code [filters,
   * (H + top + bottom - dilation.h * (kh - 1) - 1) / stride.h + 1, ...]}.
   */
  record Conv2d(
      String name, int filters, Hw kernel, Hw stride, Padding padding, Hw dilation, int groups,
      boolean bias, Init weightInit, Init biasInit)
      implements Layer {
    /** Stride 1, no padding, no dilation, one group, with bias, PyTorch's default init. */
    public Conv2d(String name, int filters, int kernel) {
      this(name, filters, Hw.of(kernel), Hw.of(1), Padding.explicit(0, 0), Hw.of(1), 1, true,
          Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
    }

    @Override
    public String type() {
      return "conv2d";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.conv2d(this);
    }
  }

  /**
   * Fully connected layer on the last axis: {@code y = x W^T + b}, weight {@code [units, in]}.
   *
   * @param weightInit scheme for the weight, see {@link Init}
   * @param biasInit scheme for the bias, see {@link Init}
   */
  record Dense(String name, int units, boolean bias, Init weightInit, Init biasInit)
      implements Layer {
    public Dense(String name, int units) {
      this(name, units, true, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
    }

    @Override
    public String type() {
      return "dense";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.dense(this);
    }
  }

  record Relu(String name) implements Layer {
    @Override
    public String type() {
      return "relu";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.relu(this);
    }
  }

  record Sigmoid(String name) implements Layer {
    @Override
    public String type() {
      return "sigmoid";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.sigmoid(this);
    }
  }

  record Tanh(String name) implements Layer {
    @Override
    public String type() {
      return "tanh";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.tanh(this);
    }
  }

  /** Softmax over the last axis. */
  record Softmax(String name) implements Layer {
    @Override
    public String type() {
      return "softmax";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.softmax(this);
    }
  }

  /** Flattens every axis but the batch axis, in row-major (NCHW) order. */
  record Flatten(String name) implements Layer {
    @Override
    public String type() {
      return "flatten";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.flatten(this);
    }
  }

  /**
   * Inverted dropout: in training each element is kept with probability {@code 1 - rate} and
   * scaled by {@code 1 / (1 - rate)}; identity in evaluation. Masks come from the spec's seed.
   */
  record Dropout(String name, double rate) implements Layer {
    @Override
    public String type() {
      return "dropout";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.dropout(this);
    }
  }

  /**
   * PyTorch's LeakyReLU: {@code y = x} for {@code x >= 0}, else {@code negativeSlope * x}.
   * The gradient at exactly 0 is {@code negativeSlope}, as in PyTorch.
   */
  record LeakyRelu(String name, double negativeSlope) implements Layer {
    public static final double DEFAULT_NEGATIVE_SLOPE = 0.01;

    public LeakyRelu(String name) {
      this(name, DEFAULT_NEGATIVE_SLOPE);
    }

    @Override
    public String type() {
      return "leaky_relu";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.leakyRelu(this);
    }
  }

  /**
   * PyTorch's ELU: {@code y = x} for {@code x > 0}, else {@code alpha * (exp(x) - 1)}. The
   * gradient at exactly 0 is {@code alpha}, as in PyTorch.
   */
  record Elu(String name, double alpha) implements Layer {
    public static final double DEFAULT_ALPHA = 1.0;

    public Elu(String name) {
      this(name, DEFAULT_ALPHA);
    }

    @Override
    public String type() {
      return "elu";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.elu(this);
    }
  }

  /**
   * Exact GELU, PyTorch's default ({@code approximate='none'}): {@code y = 0.5 * x * (1 +
   * erf(x / sqrt(2)))}, not the tanh approximation.
   */
  record Gelu(String name) implements Layer {
    @Override
    public String type() {
      return "gelu";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.gelu(this);
    }
  }

  /**
   * Row-major (NCHW) reshape of each sample; the batch axis is kept and is not part of {@code
   * shape}. One entry may be -1: it is inferred from the element count.
   */
  record Reshape(String name, List<Integer> shape) implements Layer {
    public Reshape {
      // A record over an int[] would compare by identity; an immutable list compares by value,
      // which round trips and spec equality rely on.
      shape = List.copyOf(shape);
    }

    public Reshape(String name, int... shape) {
      this(name, java.util.Arrays.stream(shape).boxed().toList());
    }

    @Override
    public String type() {
      return "reshape";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.reshape(this);
    }
  }

  /**
   * PyTorch's MaxPool2d on an NCHW sample: the maximum of each {@code kernel} window, windows
   * {@code stride} apart (default: the kernel), over the input padded by {@code padding} rows
   * and columns on each side that never win (−∞). No dilation, no ceil mode.
   */
  record MaxPool2d(String name, Hw kernel, Hw stride, Hw padding) implements Layer {
    public MaxPool2d(String name, int kernel) {
      this(name, Hw.of(kernel), Hw.of(kernel), Hw.of(0));
    }

    @Override
    public String type() {
      return "max_pool2d";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.maxPool2d(this);
    }
  }

  /**
   * PyTorch's AvgPool2d with its defaults: padding adds zeros that count in the divisor
   * ({@code count_include_pad=True}), so every window is divided by {@code kh * kw}.
   */
  record AvgPool2d(String name, Hw kernel, Hw stride, Hw padding) implements Layer {
    public AvgPool2d(String name, int kernel) {
      this(name, Hw.of(kernel), Hw.of(kernel), Hw.of(0));
    }

    @Override
    public String type() {
      return "avg_pool2d";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.avgPool2d(this);
    }
  }

  /** Mean over H and W of an NCHW sample: {@code [C, H, W] -> [C]}. */
  record GlobalAvgPool2d(String name) implements Layer {
    @Override
    public String type() {
      return "global_avg_pool2d";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.globalAvgPool2d(this);
    }
  }

  /**
   * Batch normalisation over the channel axis (axis 0 of a sample: {@code [C]} or {@code [C, H,
   * W]}), PyTorch's BatchNorm1d/2d. Training: {@code y = (x - mean) / sqrt(var + epsilon) *
   * weight + bias} with the batch's mean and biased variance per channel; then {@code
   * running_mean = (1 - momentum) * running_mean + momentum * mean} and {@code running_var = (1
   * - momentum) * running_var + momentum * var * n / (n - 1)} (unbiased, n values per channel).
   * Evaluation uses the running statistics. Parameters {@code weight} (ones), {@code bias}
   * (zeros); buffers {@code running_mean} (zeros), {@code running_var} (ones).
   *
   * @param momentum weight of the new batch statistic, PyTorch's convention (Keras's is {@code 1 -
   *     momentum})
   */
  record BatchNorm(String name, double momentum, double epsilon) implements Layer {
    public static final double DEFAULT_MOMENTUM = 0.1;
    public static final double DEFAULT_EPSILON = 1e-5;

    public BatchNorm(String name) {
      this(name, DEFAULT_MOMENTUM, DEFAULT_EPSILON);
    }

    @Override
    public String type() {
      return "batch_norm";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.batchNorm(this);
    }
  }

  /**
   * Layer normalisation of each sample over its last {@code axes} axes, PyTorch's LayerNorm with
   * {@code normalized_shape} = those axes: {@code y = (x - mean) / sqrt(var + epsilon) * weight +
   * bias}, biased variance, the same in training and evaluation. {@code weight} (ones) and {@code
   * bias} (zeros) have the shape of the normalised axes.
   */
  record LayerNorm(String name, int axes, double epsilon) implements Layer {
    public static final double DEFAULT_EPSILON = 1e-5;

    public LayerNorm(String name) {
      this(name, 1, DEFAULT_EPSILON);
    }

    @Override
    public String type() {
      return "layer_norm";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.layerNorm(this);
    }
  }

  /** Element-wise sum of two or more inputs of exactly the same shape (no broadcasting). */
  record Add(String name) implements Layer {
    @Override
    public String type() {
      return "add";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.add(this);
    }
  }

  /**
   * Concatenation of two or more inputs along sample axis {@code axis} (0 = channels of an NCHW
   * sample, or features of a vector; negative counts from the last); every other axis must agree.
   */
  record Concat(String name, int axis) implements Layer {
    /** The axis as a non-negative sample axis; {@code -1} is the last of {@code rank}. */
    public int sampleAxis(int rank) {
      return axis < 0 ? rank + axis : axis;
    }

    @Override
    public String type() {
      return "concat";
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.concat(this);
    }
  }

  /** True for the kinds that join several inputs ({@code add}, {@code concat}). */
  static boolean joins(Layer layer) {
    return layer instanceof Add || layer instanceof Concat;
  }
}
