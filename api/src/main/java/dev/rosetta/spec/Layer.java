package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One layer of a model spec. Every layer kind is a record under this sealed interface, and
 * everything about a kind is declared beside its record: its JSON name and fields ({@code
 * KIND}), the checks that need shapes ({@link #check}), its output shape ({@link #output}) and
 * its parameters ({@link #params}). The reader, writer and validator derive from those; each
 * lowering is a {@link Visitor}, so the compiler points at every lowering a new kind must reach.
 */
public sealed interface Layer
    permits Layer.Dense, Layer.Relu, Layer.Sigmoid, Layer.Tanh, Layer.Softmax, Layer.Flatten,
        Layer.Dropout, Layer.LeakyRelu, Layer.Elu, Layer.Gelu, Layer.Silu, Layer.Reshape, Layer.Conv2d,
        Layer.MaxPool2d, Layer.AvgPool2d, Layer.GlobalAvgPool2d, Layer.BatchNorm, Layer.LayerNorm,
        Layer.Add, Layer.Concat, Layer.Embedding, Layer.PositionEmbedding, Layer.MultiHeadAttention {

  /** Unique name; parameters are called {@code <name>.<param>}. */
  String name();

  /** This record's kind: its JSON name and fields (the record's {@code KIND}). */
  Kind<? extends Layer> kind();

  /** The spec type name as written in JSON. */
  default String type() {
    return kind().name();
  }

  /** Whether this kind joins two or more inputs ({@code add}, {@code concat}). */
  default boolean joins() {
    return kind().arity() == Kind.Arity.JOIN;
  }

  /**
   * Whether this kind reads int64 token ids (the model input of a spec whose input declares
   * {@code "dtype": "int64"}) rather than float32 values. Only {@code embedding} does; every
   * layer outputs float32.
   */
  default boolean readsTokens() {
    return false;
  }

  /**
   * Whether, on a sequence {@code [T, ...]} (axis 0 the positions), this layer computes the same
   * function of a shorter sequence {@code [t, ...]}, {@code t < T}, and keeps axis 0 the
   * positions: then a model made only of such layers takes shorter sequences at prediction
   * (a prompt while generating). False by default: a flatten or a convolution needs its whole
   * input.
   *
   * @param in the layer's (first) input shape, at the full length
   */
  default boolean takesAnyLength(Shape in) {
    return kind().takesAnyLength();
  }

  /**
   * The rate of the seeded dropout mask this layer multiplies by in training ({@link
   * dev.rosetta.train.DropoutMasks}), 0 when it has none: a dropout layer's rate, an attention
   * layer's dropout on its weights.
   */
  default double dropoutRate() {
    return 0;
  }

  /**
   * The shape, per sample, of the mask of {@link #dropoutRate}: a dropout layer's input, an
   * attention layer's weights {@code [heads, T, T]}.
   *
   * @param in the layer's input shape
   */
  default Shape dropoutMask(Shape in) {
    return in;
  }

  /** Double dispatch: Java 17 has no pattern switch, and a visitor keeps lowerings exhaustive. */
  <R> R accept(Visitor<R> visitor);

  /**
   * The output shape of one sample from the shapes of what the layer reads. Called only when
   * {@link #check} found nothing wrong with those shapes.
   */
  Shape output(List<Shape> inputs);

  /** The tensors the layer owns, canonical layout, for an input of shape {@code in}. */
  default List<ParamSpec> params(Shape in) {
    return List.of();
  }

  /**
   * The parameter an L1/L2 penalty of the layer applies to (its kernel: {@code weight} of dense
   * and conv2d, as Keras's {@code kernel_regularizer}), or null for a kind without one.
   */
  default String kernelParam() {
    return null;
  }

  /** Whether the layer keeps running statistics that training updates (batch norm). */
  default boolean keepsStatistics() {
    return false;
  }

  /**
   * Checks beyond single field values: combinations of fields, and fit with the input shapes
   * (which may be unknown after an earlier error). Field values were checked already.
   */
  default void check(LayerCheck c) {}

  /**
   * One method per layer kind. Every lowering and reference implementation implements it, so a
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

    R silu(Silu layer);

    R reshape(Reshape layer);

    R conv2d(Conv2d layer);

    R maxPool2d(MaxPool2d layer);

    R avgPool2d(AvgPool2d layer);

    R globalAvgPool2d(GlobalAvgPool2d layer);

    R batchNorm(BatchNorm layer);

    R layerNorm(LayerNorm layer);

    R add(Add layer);

    R concat(Concat layer);

    R embedding(Embedding layer);

    R positionEmbedding(PositionEmbedding layer);

    R multiHeadAttention(MultiHeadAttention layer);
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

  // ---- fields shared by several kinds ----

  private static <T> Field<T, Init> initField(String key, Function<T, Init> getter) {
    return Field.of(key, Codec.oneOf(Init.class), getter).orElse(Init.UNIFORM_FAN_IN);
  }

  private static <T> Field<T, Double> epsilonField(Function<T, Double> getter, double dflt) {
    return Field.of("epsilon", Codec.NUMBER, getter).orElse(dflt).must(Rule.POSITIVE_FINITE);
  }

  private static Shape same(List<Shape> in) {
    return in.get(0);
  }

  // ---- the kinds ----

  /**
   * Fully connected layer on the last axis: {@code y = x W^T + b}, weight {@code [units, in]}.
   *
   * @param weightInit scheme for the weight, see {@link Init}
   * @param biasInit scheme for the bias, see {@link Init}
   */
  record Dense(String name, int units, boolean bias, Init weightInit, Init biasInit) implements Layer {
    private static final Field<Dense, Integer> UNITS = Field.of("units", Codec.INT, Dense::units).must(Rule.POSITIVE);
    private static final Field<Dense, Boolean> BIAS = Field.of("bias", Codec.BOOL, Dense::bias).orElse(true);
    private static final Field<Dense, Init> WEIGHT_INIT = initField("weight_init", Dense::weightInit);
    private static final Field<Dense, Init> BIAS_INIT = initField("bias_init", Dense::biasInit);
    public static final Kind<Dense> KIND =
        Kind.of("dense", Dense.class, Schema.layer(Dense::new, UNITS, BIAS, WEIGHT_INIT, BIAS_INIT)).anyLength();

    public Dense(String name, int units) {
      this(name, units, true, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
    }

    @Override
    public Kind<Dense> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.dense(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return in.get(0).withLast(units);
    }

    @Override
    public String kernelParam() {
      return "weight";
    }

    @Override
    public List<ParamSpec> params(Shape in) {
      int fanIn = in.dim(-1);
      List<ParamSpec> p = new ArrayList<>();
      p.add(new ParamSpec(name + ".weight", Shape.of(units, fanIn), true, weightInit, fanIn, units));
      if (bias) {
        p.add(new ParamSpec(name + ".bias", Shape.of(units), true, biasInit, fanIn, units));
      }
      return p;
    }
  }

  record Relu(String name) implements Layer {
    public static final Kind<Relu> KIND = Kind.of("relu", Relu.class, Schema.layer(Relu::new)).anyLength();

    @Override
    public Kind<Relu> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.relu(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  record Sigmoid(String name) implements Layer {
    public static final Kind<Sigmoid> KIND = Kind.of("sigmoid", Sigmoid.class, Schema.layer(Sigmoid::new)).anyLength();

    @Override
    public Kind<Sigmoid> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.sigmoid(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  record Tanh(String name) implements Layer {
    public static final Kind<Tanh> KIND = Kind.of("tanh", Tanh.class, Schema.layer(Tanh::new)).anyLength();

    @Override
    public Kind<Tanh> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.tanh(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  /** Softmax over the last axis. */
  record Softmax(String name) implements Layer {
    public static final Kind<Softmax> KIND = Kind.of("softmax", Softmax.class, Schema.layer(Softmax::new)).anyLength();

    @Override
    public Kind<Softmax> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.softmax(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  /** Flattens every axis but the batch axis, in row-major (NCHW) order. */
  record Flatten(String name) implements Layer {
    public static final Kind<Flatten> KIND = Kind.of("flatten", Flatten.class, Schema.layer(Flatten::new));

    @Override
    public Kind<Flatten> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.flatten(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return Shape.of((int) in.get(0).size());
    }

    @Override
    public void check(LayerCheck c) {
      if (c.input() != null && c.input().size() > Integer.MAX_VALUE) {
        c.error(null, name + ": flattened size " + c.input().size() + " is too large");
      }
    }
  }

  /**
   * Inverted dropout: in training each element is kept with probability {@code 1 - rate} and
   * scaled by {@code 1 / (1 - rate)}; identity in evaluation. Masks come from the spec's seed.
   */
  record Dropout(String name, double rate) implements Layer {
    private static final Field<Dropout, Double> RATE = Field.of("rate", Codec.NUMBER, Dropout::rate).must(Rule.FRACTION);
    public static final Kind<Dropout> KIND =
        Kind.of("dropout", Dropout.class, Schema.layer(Dropout::new, RATE)).anyLength();

    @Override
    public Kind<Dropout> kind() {
      return KIND;
    }

    @Override
    public double dropoutRate() {
      return rate;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.dropout(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  /**
   * PyTorch's LeakyReLU: {@code y = x} for {@code x >= 0}, else {@code negativeSlope * x}.
   * The gradient at exactly 0 is {@code negativeSlope}, as in PyTorch. A negative slope would
   * make the activation non-monotonic; PyTorch allows it, the IR does not.
   */
  record LeakyRelu(String name, double negativeSlope) implements Layer {
    public static final double DEFAULT_NEGATIVE_SLOPE = 0.01;
    private static final Field<LeakyRelu, Double> SLOPE =
        Field.of("negative_slope", Codec.NUMBER, LeakyRelu::negativeSlope)
            .orElse(DEFAULT_NEGATIVE_SLOPE).must(Rule.NON_NEGATIVE_FINITE);
    public static final Kind<LeakyRelu> KIND =
        Kind.of("leaky_relu", LeakyRelu.class, Schema.layer(LeakyRelu::new, SLOPE)).anyLength();

    public LeakyRelu(String name) {
      this(name, DEFAULT_NEGATIVE_SLOPE);
    }

    @Override
    public Kind<LeakyRelu> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.leakyRelu(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  /**
   * PyTorch's ELU: {@code y = x} for {@code x > 0}, else {@code alpha * (exp(x) - 1)}. The
   * gradient at exactly 0 is {@code alpha}, as in PyTorch.
   */
  record Elu(String name, double alpha) implements Layer {
    public static final double DEFAULT_ALPHA = 1.0;
    private static final Field<Elu, Double> ALPHA =
        Field.of("alpha", Codec.NUMBER, Elu::alpha).orElse(DEFAULT_ALPHA).must(Rule.POSITIVE_FINITE);
    public static final Kind<Elu> KIND = Kind.of("elu", Elu.class, Schema.layer(Elu::new, ALPHA)).anyLength();

    public Elu(String name) {
      this(name, DEFAULT_ALPHA);
    }

    @Override
    public Kind<Elu> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.elu(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  /**
   * GELU, PyTorch's two forms. {@code none} (the default) is exact: {@code y = 0.5 * x * (1 +
   * erf(x / sqrt(2)))}. {@code tanh} is the approximation GPT-2-style models use, PyTorch's
   * {@code approximate='tanh'}: {@code y = 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 *
   * x^3)))}.
   */
  record Gelu(String name, Approximation approximate) implements Layer {
    /** Which GELU: the exact erf form or the tanh approximation. */
    public enum Approximation implements Codec.Named {
      NONE,
      TANH;
    }

    private static final Field<Gelu, Approximation> APPROXIMATE =
        Field.of("approximate", Codec.oneOf(Approximation.class), Gelu::approximate).orElse(Approximation.NONE);
    public static final Kind<Gelu> KIND =
        Kind.of("gelu", Gelu.class, Schema.layer(Gelu::new, APPROXIMATE)).anyLength();

    /** The exact form. */
    public Gelu(String name) {
      this(name, Approximation.NONE);
    }

    @Override
    public Kind<Gelu> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.gelu(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  /** SiLU (swish), PyTorch's SiLU: {@code y = x * sigmoid(x) = x / (1 + exp(-x))}. */
  record Silu(String name) implements Layer {
    public static final Kind<Silu> KIND = Kind.of("silu", Silu.class, Schema.layer(Silu::new)).anyLength();

    @Override
    public Kind<Silu> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.silu(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }
  }

  /**
   * Row-major (NCHW) reshape of each sample; the batch axis is kept and is not part of {@code
   * shape}. One entry may be -1: it is inferred from the element count, and lowerings receive
   * the resolved shape (see {@link #output}).
   */
  record Reshape(String name, List<Integer> shape) implements Layer {
    private static final Field<Reshape, List<Integer>> SHAPE = Field.of("shape", Codec.INT_LIST, Reshape::shape);
    public static final Kind<Reshape> KIND =
        Kind.of("reshape", Reshape.class, Schema.layer(Reshape::new, SHAPE));

    public Reshape {
      // A record over an int[] would compare by identity; an immutable list compares by value,
      // which round trips and spec equality rely on.
      shape = List.copyOf(shape);
    }

    public Reshape(String name, int... shape) {
      this(name, java.util.Arrays.stream(shape).boxed().toList());
    }

    @Override
    public Kind<Reshape> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.reshape(this);
    }

    /** The concrete shape: a -1 entry becomes the element count over the product of the others. */
    @Override
    public Shape output(List<Shape> in) {
      long known = 1;
      int inferred = -1;
      int[] dims = new int[shape.size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = shape.get(i);
        if (dims[i] == -1) {
          inferred = i;
        } else {
          known *= dims[i];
        }
      }
      if (inferred >= 0) {
        dims[inferred] = (int) (in.get(0).size() / known);
      }
      return Shape.of(dims);
    }

    @Override
    public void check(LayerCheck c) {
      String p = "shape";
      if (shape.isEmpty()) {
        c.error(p, name + ".shape must have at least one dimension");
        return;
      }
      int inferred = 0;
      long known = 1;
      boolean dimsOk = true;
      boolean overflow = false;
      for (int d : shape) {
        if (d == -1) {
          inferred++;
        } else if (d <= 0) {
          c.error(p, name + ".shape: dimension " + d + " is not allowed (each must be > 0, or -1 once to infer it), in " + shape);
          dimsOk = false;
        } else if (!overflow) {
          try {
            known = Math.multiplyExact(known, d);
          } catch (ArithmeticException e) {
            overflow = true;
          }
        }
      }
      if (dimsOk && overflow) {
        // A product past 2^63 cannot equal any input's element count; say so plainly rather
        // than report a wrapped-around count.
        c.error(p, name + ": cannot reshape to " + shape + ": more values than any tensor can hold");
        return;
      }
      if (inferred > 1) {
        c.error(p, name + ".shape: only one dimension may be -1, got " + inferred + " in " + shape);
        dimsOk = false;
      }
      Shape in = c.input();
      if (!dimsOk || in == null) {
        return;
      }
      long have = in.size();
      if (inferred == 0 && known != have) {
        c.error(p, name + ": cannot reshape " + in + " (" + have + " values) to " + shape + " (" + known + " values)");
      } else if (inferred == 1 && (known > have || have % known != 0)) {
        c.error(p, name + ": cannot reshape " + in + " (" + have + " values) to " + shape + ": " + have + " is not a multiple of " + known);
      } else if (inferred == 1 && have / known > Integer.MAX_VALUE) {
        c.error(p, name + ": the -1 in " + shape + " would be " + (have / known) + ", too large for one axis");
      }
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
    private static final Field<Conv2d, Integer> FILTERS = Field.of("filters", Codec.INT, Conv2d::filters).must(Rule.POSITIVE);
    private static final Field<Conv2d, Hw> KERNEL = Field.of("kernel", Codec.HW, Conv2d::kernel).must(Rule.POSITIVE_HW);
    private static final Field<Conv2d, Hw> STRIDE =
        Field.of("stride", Codec.HW, Conv2d::stride).orElse(Hw.of(1)).must(Rule.POSITIVE_HW);
    private static final Field<Conv2d, Padding> PADDING =
        Field.of("padding", Codec.PADDING, Conv2d::padding).orElse(Padding.explicit(0, 0))
            .must(Rule.of(p -> p.same() || (p.h() >= 0 && p.w() >= 0), "must be >= 0"));
    private static final Field<Conv2d, Hw> DILATION =
        Field.of("dilation", Codec.HW, Conv2d::dilation).orElse(Hw.of(1)).must(Rule.POSITIVE_HW);
    private static final Field<Conv2d, Integer> GROUPS =
        Field.of("groups", Codec.INT, Conv2d::groups).orElse(1).must(Rule.POSITIVE);
    private static final Field<Conv2d, Boolean> BIAS = Field.of("bias", Codec.BOOL, Conv2d::bias).orElse(true);
    private static final Field<Conv2d, Init> WEIGHT_INIT = initField("weight_init", Conv2d::weightInit);
    private static final Field<Conv2d, Init> BIAS_INIT = initField("bias_init", Conv2d::biasInit);
    public static final Kind<Conv2d> KIND =
        Kind.of("conv2d", Conv2d.class, Schema.layer(Conv2d::new, FILTERS, KERNEL, STRIDE, PADDING, DILATION, GROUPS, BIAS, WEIGHT_INIT, BIAS_INIT));

    /** Stride 1, no padding, no dilation, one group, with bias, PyTorch's default init. */
    public Conv2d(String name, int filters, int kernel) {
      this(name, filters, Hw.of(kernel), Hw.of(1), Padding.explicit(0, 0), Hw.of(1), 1, true,
          Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
    }

    @Override
    public Kind<Conv2d> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.conv2d(this);
    }

    /** PyTorch's floor formula on the padded extent. */
    @Override
    public Shape output(List<Shape> ins) {
      Shape in = ins.get(0);
      int kh = kernel.h();
      int kw = kernel.w();
      int dh = dilation.h();
      int dw = dilation.w();
      return Shape.of(
          filters,
          windows(in.dim(1), kh, stride.h(), dh, padding.top(kh, dh) + padding.bottom(kh, dh)),
          windows(in.dim(2), kw, stride.w(), dw, padding.left(kw, dw) + padding.right(kw, dw)));
    }

    /**
     * PyTorch's fans for a conv weight: fan_in = in/groups * kh * kw, fan_out = filters * kh *
     * kw; the bias uses fan_in too, as Conv2d.reset_parameters does.
     */
    @Override
    public String kernelParam() {
      return "weight";
    }

    @Override
    public List<ParamSpec> params(Shape in) {
      int receptive = kernel.h() * kernel.w();
      int fanIn = in.dim(0) / groups * receptive;
      int fanOut = filters * receptive;
      List<ParamSpec> p = new ArrayList<>();
      p.add(new ParamSpec(name + ".weight", Shape.of(filters, in.dim(0) / groups, kernel.h(), kernel.w()),
          true, weightInit, fanIn, fanOut));
      if (bias) {
        p.add(new ParamSpec(name + ".bias", Shape.of(filters), true, biasInit, fanIn, fanOut));
      }
      return p;
    }

    @Override
    public void check(LayerCheck c) {
      boolean ok = true;
      if (padding.same() && (stride.h() != 1 || stride.w() != 1)) {
        // PyTorch refuses it too: with a stride the output size "same" promises is not H, and
        // frameworks disagree on where the padding goes.
        c.error("padding", name + ".padding \"same\" needs stride 1 (got stride " + stride + "); give explicit padding instead");
        ok = false;
      }
      if (groups > 0 && filters > 0 && filters % groups != 0) {
        c.error("groups", name + ".groups " + groups + " must divide filters (got " + filters + ")");
        ok = false;
      }
      if (!c.inputRank(3, "conv2d", "[channels, height, width]")) {
        return;
      }
      Shape in = c.input();
      if (groups > 0 && in.dim(0) % groups != 0) {
        c.error("groups", name + ".groups " + groups + " must divide the input channels (got " + in.dim(0) + " channels in " + in + ")");
        ok = false;
      }
      if (!ok || !c.fieldsValid()) {
        return;
      }
      Shape o = output(List.of(in));
      if (o.dim(1) <= 0 || o.dim(2) <= 0) {
        int eh = dilation.h() * (kernel.h() - 1) + 1;
        int ew = dilation.w() * (kernel.w() - 1) + 1;
        long ph = (long) in.dim(1) + padding.top(kernel.h(), dilation.h()) + padding.bottom(kernel.h(), dilation.h());
        long pw = (long) in.dim(2) + padding.left(kernel.w(), dilation.w()) + padding.right(kernel.w(), dilation.w());
        c.error("kernel", name + ": kernel " + kernel + " (extent [" + eh + ", " + ew + "] with dilation) is larger than the padded input [" + ph + ", " + pw + "] of " + in + "; the output would be " + o);
      }
    }
  }

  /**
   * PyTorch's MaxPool2d on an NCHW sample: the maximum of each {@code kernel} window, windows
   * {@code stride} apart (default: the kernel), over the input padded by {@code padding} rows
   * and columns on each side that never win (−∞). No dilation, no ceil mode.
   */
  record MaxPool2d(String name, Hw kernel, Hw stride, Hw padding) implements Layer {
    private static final Field<MaxPool2d, Hw> KERNEL = Field.of("kernel", Codec.HW, MaxPool2d::kernel).must(Rule.POSITIVE_HW);
    private static final Field<MaxPool2d, Hw> STRIDE =
        Field.of("stride", Codec.HW, MaxPool2d::stride).orElseFrom(KERNEL).must(Rule.POSITIVE_HW);
    private static final Field<MaxPool2d, Hw> PADDING =
        Field.of("padding", Codec.HW, MaxPool2d::padding).orElse(Hw.of(0)).must(Rule.NON_NEGATIVE_HW);
    public static final Kind<MaxPool2d> KIND =
        Kind.of("max_pool2d", MaxPool2d.class, Schema.layer(MaxPool2d::new, KERNEL, STRIDE, PADDING));

    public MaxPool2d(String name, int kernel) {
      this(name, Hw.of(kernel), Hw.of(kernel), Hw.of(0));
    }

    @Override
    public Kind<MaxPool2d> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.maxPool2d(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return poolOutput(kernel, stride, padding, in.get(0));
    }

    @Override
    public void check(LayerCheck c) {
      checkPool(c, name, "max_pool2d", kernel, stride, padding);
    }
  }

  /**
   * PyTorch's AvgPool2d with its defaults: padding adds zeros that count in the divisor
   * ({@code count_include_pad=True}), so every window is divided by {@code kh * kw}.
   */
  record AvgPool2d(String name, Hw kernel, Hw stride, Hw padding) implements Layer {
    private static final Field<AvgPool2d, Hw> KERNEL = Field.of("kernel", Codec.HW, AvgPool2d::kernel).must(Rule.POSITIVE_HW);
    private static final Field<AvgPool2d, Hw> STRIDE =
        Field.of("stride", Codec.HW, AvgPool2d::stride).orElseFrom(KERNEL).must(Rule.POSITIVE_HW);
    private static final Field<AvgPool2d, Hw> PADDING =
        Field.of("padding", Codec.HW, AvgPool2d::padding).orElse(Hw.of(0)).must(Rule.NON_NEGATIVE_HW);
    public static final Kind<AvgPool2d> KIND =
        Kind.of("avg_pool2d", AvgPool2d.class, Schema.layer(AvgPool2d::new, KERNEL, STRIDE, PADDING));

    public AvgPool2d(String name, int kernel) {
      this(name, Hw.of(kernel), Hw.of(kernel), Hw.of(0));
    }

    @Override
    public Kind<AvgPool2d> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.avgPool2d(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return poolOutput(kernel, stride, padding, in.get(0));
    }

    @Override
    public void check(LayerCheck c) {
      checkPool(c, name, "avg_pool2d", kernel, stride, padding);
    }
  }

  /** Mean over H and W of an NCHW sample: {@code [C, H, W] -> [C]}. */
  record GlobalAvgPool2d(String name) implements Layer {
    public static final Kind<GlobalAvgPool2d> KIND =
        Kind.of("global_avg_pool2d", GlobalAvgPool2d.class, Schema.layer(GlobalAvgPool2d::new));

    @Override
    public Kind<GlobalAvgPool2d> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.globalAvgPool2d(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return Shape.of(in.get(0).dim(0));
    }

    @Override
    public void check(LayerCheck c) {
      c.inputRank(3, "global_avg_pool2d", "[channels, height, width]");
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
    private static final Field<BatchNorm, Double> MOMENTUM =
        Field.of("momentum", Codec.NUMBER, BatchNorm::momentum).orElse(DEFAULT_MOMENTUM)
            .must(Rule.UNIT_INTERVAL.withHint(
                "; it weighs the new batch statistic, PyTorch's convention: Keras's 0.99 is 0.01 here"));
    private static final Field<BatchNorm, Double> EPSILON = epsilonField(BatchNorm::epsilon, DEFAULT_EPSILON);
    public static final Kind<BatchNorm> KIND =
        Kind.of("batch_norm", BatchNorm.class, Schema.layer(BatchNorm::new, MOMENTUM, EPSILON));

    public BatchNorm(String name) {
      this(name, DEFAULT_MOMENTUM, DEFAULT_EPSILON);
    }

    @Override
    public Kind<BatchNorm> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.batchNorm(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }

    /** PyTorch's BatchNorm: the affine pair and the running statistics, one per channel. */
    @Override
    public boolean keepsStatistics() {
      return true;
    }

    @Override
    public List<ParamSpec> params(Shape in) {
      Shape c = Shape.of(in.dim(0));
      int ch = in.dim(0);
      return List.of(
          new ParamSpec(name + ".weight", c, true, Init.ONES, ch, ch),
          new ParamSpec(name + ".bias", c, true, Init.ZEROS, ch, ch),
          new ParamSpec(name + ".running_mean", c, false, Init.ZEROS, ch, ch),
          new ParamSpec(name + ".running_var", c, false, Init.ONES, ch, ch));
    }

    @Override
    public void check(LayerCheck c) {
      Shape in = c.input();
      if (in != null && in.rank() != 1 && in.rank() != 3) {
        c.error(null, name + ": batch_norm needs a [features] or [channels, height, width] sample, got " + in + " (rank " + in.rank() + ")");
      }
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
    private static final Field<LayerNorm, Integer> AXES =
        Field.of("axes", Codec.INT, LayerNorm::axes).orElse(1).must(Rule.AT_LEAST_ONE);
    private static final Field<LayerNorm, Double> EPSILON = epsilonField(LayerNorm::epsilon, DEFAULT_EPSILON);
    public static final Kind<LayerNorm> KIND =
        Kind.of("layer_norm", LayerNorm.class, Schema.layer(LayerNorm::new, AXES, EPSILON));

    public LayerNorm(String name) {
      this(name, 1, DEFAULT_EPSILON);
    }

    @Override
    public Kind<LayerNorm> kind() {
      return KIND;
    }

    /** Per position when the normalised axes leave the sequence axis out. */
    @Override
    public boolean takesAnyLength(Shape in) {
      return axes < in.rank();
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.layerNorm(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }

    /** The trailing axes normalised over: the shape of the weight and the bias. */
    public Shape normalizedShape(Shape in) {
      int[] dims = in.dims();
      return Shape.of(java.util.Arrays.copyOfRange(dims, dims.length - axes, dims.length));
    }

    @Override
    public List<ParamSpec> params(Shape in) {
      Shape norm = normalizedShape(in);
      int n = (int) norm.size();
      return List.of(
          new ParamSpec(name + ".weight", norm, true, Init.ONES, n, n),
          new ParamSpec(name + ".bias", norm, true, Init.ZEROS, n, n));
    }

    @Override
    public void check(LayerCheck c) {
      if (c.input() != null && axes > c.input().rank()) {
        c.error("axes", name + ".axes " + axes + " is more than the " + c.input().rank() + " axes of its input " + c.input());
      }
    }
  }

  /** Element-wise sum of two or more inputs of exactly the same shape (no broadcasting). */
  record Add(String name) implements Layer {
    public static final Kind<Add> KIND = Kind.join("add", Add.class, Schema.layer(Add::new)).anyLength();

    @Override
    public Kind<Add> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.add(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }

    @Override
    public void check(LayerCheck c) {
      List<Shape> ins = c.inputs();
      if (ins == null) {
        return;
      }
      List<String> names = c.inputNames();
      for (int k = 1; k < ins.size(); k++) {
        if (!ins.get(k).equals(ins.get(0))) {
          c.error("inputs[" + k + "]", "shape mismatch at add '" + name + "': '" + names.get(0) + "' gives " + ins.get(0) + " but '" + names.get(k) + "' gives " + ins.get(k) + " (add needs identical shapes; no broadcasting)");
        }
      }
    }
  }

  /**
   * Concatenation of two or more inputs along sample axis {@code axis} (0 = channels of an NCHW
   * sample, or features of a vector; negative counts from the last); every other axis must agree.
   */
  record Concat(String name, int axis) implements Layer {
    private static final Field<Concat, Integer> AXIS = Field.of("axis", Codec.INT, Concat::axis).orElse(0);
    public static final Kind<Concat> KIND =
        Kind.join("concat", Concat.class, Schema.layer(Concat::new, AXIS));

    /** The axis as a non-negative sample axis; {@code -1} is the last of {@code rank}. */
    public int sampleAxis(int rank) {
      return axis < 0 ? rank + axis : axis;
    }

    @Override
    public Kind<Concat> kind() {
      return KIND;
    }

    /** Unless it concatenates along the sequence axis itself. */
    @Override
    public boolean takesAnyLength(Shape in) {
      return sampleAxis(in.rank()) != 0;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.concat(this);
    }

    @Override
    public Shape output(List<Shape> ins) {
      Shape in = ins.get(0);
      int a = sampleAxis(in.rank());
      int[] dims = in.dims();
      int total = 0;
      for (Shape s : ins) {
        total += s.dim(a);
      }
      dims[a] = total;
      return Shape.of(dims);
    }

    @Override
    public void check(LayerCheck c) {
      List<Shape> ins = c.inputs();
      if (ins == null) {
        return;
      }
      Shape in = ins.get(0);
      int rank = in.rank();
      if (axis < -rank || axis >= rank) {
        c.error("axis", name + ".axis " + axis + " is out of range for inputs of rank " + rank + " (use 0.." + (rank - 1) + ", or -1 for the last; the batch axis is not counted)");
        return;
      }
      int a = sampleAxis(rank);
      List<String> names = c.inputNames();
      for (int k = 1; k < ins.size(); k++) {
        Shape s = ins.get(k);
        boolean match = s.rank() == rank;
        for (int d = 0; match && d < rank; d++) {
          match = d == a || s.dim(d) == in.dim(d);
        }
        if (!match) {
          c.error("inputs[" + k + "]", "shape mismatch at concat '" + name + "': '" + names.get(0) + "' gives " + in + " but '" + names.get(k) + "' gives " + s + " (all axes but axis " + axis + " must agree)");
        }
      }
    }
  }

  /**
   * Token embedding, PyTorch's {@code nn.Embedding}: a sequence of {@code T} token ids becomes
   * {@code [T, dim]}, row {@code i} being row {@code ids[i]} of {@code weight [vocab_size, dim]}.
   * Reads the model input, which must be int64 token ids; an id outside {@code [0, vocab_size)}
   * is refused before it reaches a backend.
   */
  record Embedding(String name, int vocabSize, int dim, Init weightInit) implements Layer {
    private static final Field<Embedding, Integer> VOCAB_SIZE =
        Field.of("vocab_size", Codec.INT, Embedding::vocabSize).must(Rule.POSITIVE);
    private static final Field<Embedding, Integer> DIM = Field.of("dim", Codec.INT, Embedding::dim).must(Rule.POSITIVE);
    private static final Field<Embedding, Init> WEIGHT_INIT =
        Field.of("weight_init", Codec.oneOf(Init.class), Embedding::weightInit).orElse(Init.NORMAL);
    public static final Kind<Embedding> KIND =
        Kind.of("embedding", Embedding.class, Schema.layer(Embedding::new, VOCAB_SIZE, DIM, WEIGHT_INIT)).anyLength();

    /** With PyTorch's initialisation, N(0, 1). */
    public Embedding(String name, int vocabSize, int dim) {
      this(name, vocabSize, dim, Init.NORMAL);
    }

    @Override
    public Kind<Embedding> kind() {
      return KIND;
    }

    @Override
    public boolean readsTokens() {
      return true;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.embedding(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return Shape.of(in.get(0).dim(0), dim);
    }

    @Override
    public List<ParamSpec> params(Shape in) {
      return List.of(new ParamSpec(name + ".weight", Shape.of(vocabSize, dim), true, weightInit, dim, vocabSize));
    }

    @Override
    public void check(LayerCheck c) {
      c.inputRank(1, "embedding", "[sequence length] token ids");
    }
  }

  /**
   * Learned position embedding added to its input, as GPT-2's {@code wpe}: {@code [T, D]}
   * becomes {@code x + weight[0:T]}, {@code weight [max_length, D]}. At prediction a sequence
   * may be shorter than the model input's length; never longer than {@code max_length}.
   */
  record PositionEmbedding(String name, int maxLength, Init weightInit) implements Layer {
    private static final Field<PositionEmbedding, Integer> MAX_LENGTH =
        Field.of("max_length", Codec.INT, PositionEmbedding::maxLength).must(Rule.POSITIVE);
    private static final Field<PositionEmbedding, Init> WEIGHT_INIT =
        Field.of("weight_init", Codec.oneOf(Init.class), PositionEmbedding::weightInit).orElse(Init.NORMAL);
    public static final Kind<PositionEmbedding> KIND =
        Kind.of("position_embedding", PositionEmbedding.class, Schema.layer(PositionEmbedding::new, MAX_LENGTH, WEIGHT_INIT)).anyLength();

    public PositionEmbedding(String name, int maxLength) {
      this(name, maxLength, Init.NORMAL);
    }

    @Override
    public Kind<PositionEmbedding> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.positionEmbedding(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }

    @Override
    public List<ParamSpec> params(Shape in) {
      int d = in.dim(1);
      return List.of(new ParamSpec(name + ".weight", Shape.of(maxLength, d), true, weightInit, d, maxLength));
    }

    @Override
    public void check(LayerCheck c) {
      if (!c.inputRank(2, "position_embedding", "[sequence length, width]")) {
        return;
      }
      int t = c.input().dim(0);
      if (maxLength > 0 && t > maxLength) {
        c.error("max_length", name + ".max_length " + maxLength + " is shorter than its input's " + t + " positions " + c.input());
      }
    }
  }

  /**
   * Multi-head self-attention over a sequence {@code [T, D]}, PyTorch's {@code
   * nn.MultiheadAttention(D, num_heads, bias=bias, batch_first=True)} with query = key = value =
   * the input. {@code qkv = x in_proj_weight^T + in_proj_bias ⊙ [1, 0, 1]} ({@code [T, 3D]}, q,
   * k, v in that order): the key third of the bias is left out, because adding it adds the
   * same {@code q_i · b_k} to every score of query i, which the softmax cancels; its gradient is
   * then exactly 0 instead of float32 rounding noise (about 1e-10) that Adam would turn into
   * full-size steps in a direction that differs between backends. It stays in the parameter
   * (PyTorch's layout) and never moves. Per head h of width {@code hd = D / num_heads}: {@code a = softmax((q_h / sqrt(hd))
   * k_h^T)} over the key axis, with scores above the diagonal set to −∞ when {@code causal}
   * (position i attends to positions j ≤ i; their weights are then exactly 0); in training the
   * weights are multiplied by a seeded dropout mask of {@code [batch, heads, T, T]}; {@code o_h =
   * a v_h}; the heads are concatenated in order and {@code y = o out_proj.weight^T +
   * out_proj.bias}.
   *
   * @param weightInit scheme for {@code in_proj_weight} (fans: D in, 3D out)
   * @param outputInit scheme for {@code out_proj.weight} (fans: D, D)
   * @param biasInit scheme for both biases
   */
  record MultiHeadAttention(
      String name, int numHeads, boolean causal, boolean bias, double dropout, Init weightInit, Init outputInit,
      Init biasInit) implements Layer {
    private static final Field<MultiHeadAttention, Integer> NUM_HEADS =
        Field.of("num_heads", Codec.INT, MultiHeadAttention::numHeads).must(Rule.POSITIVE);
    private static final Field<MultiHeadAttention, Boolean> CAUSAL =
        Field.of("causal", Codec.BOOL, MultiHeadAttention::causal).orElse(false);
    private static final Field<MultiHeadAttention, Boolean> BIAS =
        Field.of("bias", Codec.BOOL, MultiHeadAttention::bias).orElse(true);
    private static final Field<MultiHeadAttention, Double> DROPOUT =
        Field.of("dropout", Codec.NUMBER, MultiHeadAttention::dropout).orElse(0.0).must(Rule.FRACTION);
    private static final Field<MultiHeadAttention, Init> WEIGHT_INIT =
        Field.of("weight_init", Codec.oneOf(Init.class), MultiHeadAttention::weightInit).orElse(Init.XAVIER_UNIFORM);
    private static final Field<MultiHeadAttention, Init> OUTPUT_INIT =
        Field.of("output_init", Codec.oneOf(Init.class), MultiHeadAttention::outputInit).orElse(Init.UNIFORM_FAN_IN);
    private static final Field<MultiHeadAttention, Init> BIAS_INIT =
        Field.of("bias_init", Codec.oneOf(Init.class), MultiHeadAttention::biasInit).orElse(Init.ZEROS);
    public static final Kind<MultiHeadAttention> KIND =
        Kind.of("multi_head_attention", MultiHeadAttention.class,
            Schema.layer(MultiHeadAttention::new, NUM_HEADS, CAUSAL, BIAS, DROPOUT, WEIGHT_INIT, OUTPUT_INIT, BIAS_INIT)).anyLength();

    /** PyTorch's defaults: biases, no dropout, xavier in-projection, zero biases. */
    public MultiHeadAttention(String name, int numHeads, boolean causal) {
      this(name, numHeads, causal, true, 0, Init.XAVIER_UNIFORM, Init.UNIFORM_FAN_IN, Init.ZEROS);
    }

    @Override
    public Kind<MultiHeadAttention> kind() {
      return KIND;
    }

    @Override
    public double dropoutRate() {
      return dropout;
    }

    /** {@code [heads, T, T]}: one weight per head, query and key. */
    @Override
    public Shape dropoutMask(Shape in) {
      return Shape.of(numHeads, in.dim(0), in.dim(0));
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.multiHeadAttention(this);
    }

    @Override
    public Shape output(List<Shape> in) {
      return same(in);
    }

    /** The width of one head for an input {@code [T, D]}: {@code D / num_heads}. */
    public int headDim(Shape in) {
      return in.dim(1) / numHeads;
    }

    /**
     * The factor each lowering multiplies {@code in_proj_bias} by before adding it: 1 on the
     * query and value thirds, 0 on the key third, which cannot change the output.
     */
    public static float[] inProjBiasMask(int d) {
      float[] m = new float[3 * d];
      java.util.Arrays.fill(m, 0, d, 1f);
      java.util.Arrays.fill(m, 2 * d, 3 * d, 1f);
      return m;
    }

    /** {@code 1 / sqrt(head width)} as float32, the factor every lowering scales q by. */
    public float scale(Shape in) {
      return (float) (1 / Math.sqrt(headDim(in)));
    }

    @Override
    public List<ParamSpec> params(Shape in) {
      int d = in.dim(1);
      List<ParamSpec> p = new ArrayList<>();
      p.add(new ParamSpec(name + ".in_proj_weight", Shape.of(3 * d, d), true, weightInit, d, 3 * d));
      if (bias) {
        p.add(new ParamSpec(name + ".in_proj_bias", Shape.of(3 * d), true, biasInit, d, 3 * d));
      }
      p.add(new ParamSpec(name + ".out_proj.weight", Shape.of(d, d), true, outputInit, d, d));
      if (bias) {
        p.add(new ParamSpec(name + ".out_proj.bias", Shape.of(d), true, biasInit, d, d));
      }
      return p;
    }

    @Override
    public void check(LayerCheck c) {
      if (!c.inputRank(2, "multi_head_attention", "[sequence length, width]")) {
        return;
      }
      int d = c.input().dim(1);
      if (numHeads > 0 && d % numHeads != 0) {
        c.error("num_heads", name + ".num_heads " + numHeads + " must divide the width " + d + " of its input " + c.input()
            + " (each head takes width / num_heads values)");
      }
    }
  }

  // ---- shape arithmetic shared by the 2-D kinds ----

  /** Output of a max or average pool on {@code [C, H, W]}: channels kept, floor formula. */
  private static Shape poolOutput(Hw kernel, Hw stride, Hw padding, Shape in) {
    return Shape.of(
        in.dim(0),
        windows(in.dim(1), kernel.h(), stride.h(), 1, 2 * padding.h()),
        windows(in.dim(2), kernel.w(), stride.w(), 1, 2 * padding.w()));
  }

  private static void checkPool(LayerCheck c, String name, String type, Hw kernel, Hw stride, Hw padding) {
    boolean ok = c.fieldsValid();
    if (ok && (2 * padding.h() > kernel.h() || 2 * padding.w() > kernel.w())) {
      // PyTorch's rule: a window made mostly of padding would hold no input at all.
      c.error("padding", name + ".padding " + padding + " must be at most half the kernel " + kernel);
      ok = false;
    }
    if (!c.inputRank(3, type, "[channels, height, width]") || !ok) {
      return;
    }
    Shape in = c.input();
    Shape o = poolOutput(kernel, stride, padding, in);
    if (o.dim(1) <= 0 || o.dim(2) <= 0) {
      c.error("kernel", name + ": kernel " + kernel + " is larger than the padded input ["
          + ((long) in.dim(1) + 2L * padding.h()) + ", " + ((long) in.dim(2) + 2L * padding.w()) + "] of " + in + "; the output would be " + o);
    }
  }

  /**
   * Window positions along one axis: {@code floor((size + pad - d * (k - 1) - 1) / stride) + 1},
   * or 0 when the (dilated) kernel does not fit the padded extent. Long arithmetic so extreme
   * specs report an error instead of wrapping.
   */
  private static int windows(int size, int k, int stride, int d, int totalPad) {
    long span = (long) size + totalPad - (long) d * (k - 1) - 1;
    if (span < 0) {
      return 0;
    }
    return (int) Math.min(Integer.MAX_VALUE, span / stride + 1);
  }
}
