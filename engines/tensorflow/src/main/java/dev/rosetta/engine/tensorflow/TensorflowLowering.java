package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.ShapeInference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Lowers the IR to TensorFlow graph ops. Parameters are graph variables named exactly as the
 * canonical parameters ({@code fc1.weight}) and kept in the canonical layout: a dense weight
 * stays {@code [out, in]} and the layer multiplies by its transpose, so weights and gradients
 * leave the graph with no permute.
 */
final class TensorflowLowering {
  private TensorflowLowering() {}

  /** One variable per parameter, in the order of {@link ShapeInference#params}. */
  static Map<String, Variable<TFloat32>> variables(Ops tf, ModelSpec spec) {
    Map<String, Variable<TFloat32>> vars = new LinkedHashMap<>();
    for (ParamSpec p : ShapeInference.params(spec)) {
      vars.put(
          p.name(),
          tf.withName(p.name()).variable(org.tensorflow.ndarray.Shape.of(p.shape().dimsLong()), TFloat32.class));
    }
    return vars;
  }

  /** Shape with an unknown leading batch axis, as TF wants it for placeholders. */
  static org.tensorflow.ndarray.Shape batched(Shape sample) {
    long[] d = new long[sample.rank() + 1];
    d[0] = -1;
    System.arraycopy(sample.dimsLong(), 0, d, 1, sample.rank());
    return org.tensorflow.ndarray.Shape.of(d);
  }

  /**
   * What a training forward pass needs and produces besides its output: the dropout masks it
   * is fed, and the batch statistics each batch_norm layer computed, from which the train step
   * updates the running statistics. A forward pass without one is an evaluation pass (dropout
   * off, batch_norm on its running statistics).
   */
  static final class TrainPass {
    final Map<String, Placeholder<TFloat32>> masks;
    final List<BatchStats> batchStats = new ArrayList<>();

    TrainPass(Map<String, Placeholder<TFloat32>> masks) {
      this.masks = masks;
    }
  }

  /**
   * One batch_norm layer's statistics in a training pass: per-channel mean {@code [C]}, sum of
   * squared deviations {@code [C]} and values per channel n (a scalar: batch times H times W,
   * known only when the graph runs). None of them is on the loss path.
   */
  record BatchStats(
      Layer.BatchNorm layer, Operand<TFloat32> mean, Operand<TFloat32> squaredDeviations,
      Operand<TFloat32> count) {}

  /**
   * The forward pass, walked with {@link dev.rosetta.spec.Graph} so a layer may read any earlier
   * layer or the model input.
   *
   * @param train the training pass's masks and statistics collector, or null for evaluation
   *     (dropout is the identity, batch_norm uses the running statistics)
   */
  static Operand<TFloat32> forward(
      Ops tf, ModelSpec spec, Operand<TFloat32> input, Map<String, Variable<TFloat32>> vars,
      TrainPass train) {
    List<LayerShape> shapes = ShapeInference.infer(spec);
    return dev.rosetta.spec.Graph.output(
        spec, input,
        (i, layer, ins) -> layer.accept(new LayerOps(tf, ins, shapes.get(i), vars, train)));
  }

  /**
   * The running-statistic writes of one train step, PyTorch's rule with its momentum m (weight
   * of the new statistic): {@code running_mean = m * mean + (1 - m) * running_mean} and {@code
   * running_var = m * squared_deviations / (n - 1) + (1 - m) * running_var}, the unbiased
   * variance. {@code after} must carry the train step's control dependencies; the statistics
   * are those of the same step's forward pass, as they are fetched in the same run.
   */
  static List<Op> runningStatUpdates(
      Ops after, List<BatchStats> stats, Map<String, Variable<TFloat32>> vars) {
    List<Op> writes = new ArrayList<>();
    for (BatchStats b : stats) {
      String name = b.layer().name();
      Ops s = after.withSubScope(name);
      // Rounded to float32 as PyTorch's kernel does: momentum_ = (float) m, and 1 - momentum_.
      float m = (float) b.layer().momentum();
      Operand<TFloat32> keep = s.constant(1f - m);
      Operand<TFloat32> mom = s.constant(m);
      Variable<TFloat32> runningMean = vars.get(name + ".running_mean");
      Variable<TFloat32> runningVar = vars.get(name + ".running_var");
      Operand<TFloat32> unbiased =
          s.math.div(b.squaredDeviations(), s.math.sub(b.count(), s.constant(1f)));
      writes.add(
          s.withName("mean").assign(
              runningMean, s.math.add(s.math.mul(mom, b.mean()), s.math.mul(keep, runningMean))));
      writes.add(
          s.withName("var").assign(
              runningVar, s.math.add(s.math.mul(mom, unbiased), s.math.mul(keep, runningVar))));
    }
    return writes;
  }

  /**
   * Dropout masks the training graph is fed, one placeholder per dropout layer with a rate
   * above 0, shaped like the layer's input.
   */
  static Map<String, Placeholder<TFloat32>> maskPlaceholders(Ops tf, ModelSpec spec) {
    Map<String, Placeholder<TFloat32>> masks = new LinkedHashMap<>();
    List<LayerShape> shapes = ShapeInference.infer(spec);
    for (int i = 0; i < spec.layers().size(); i++) {
      if (spec.layers().get(i) instanceof Layer.Dropout d && d.rate() > 0) {
        masks.put(
            d.name(),
            tf.withSubScope(d.name()).withName("mask")
                .placeholder(TFloat32.class, Placeholder.shape(batched(shapes.get(i).input()))));
      }
    }
    return masks;
  }

  private static final class LayerOps implements Layer.Visitor<Operand<TFloat32>> {
    private final Ops tf;
    /** Everything the layer reads, in the order of its inputs; {@link #x} is the first. */
    private final List<Operand<TFloat32>> ins;
    private final Operand<TFloat32> x;
    private final LayerShape shape;
    private final Map<String, Variable<TFloat32>> vars;
    private final TrainPass train;
    private final Map<String, Placeholder<TFloat32>> masks;

    LayerOps(
        Ops tf, List<Operand<TFloat32>> ins, LayerShape shape, Map<String, Variable<TFloat32>> vars,
        TrainPass train) {
      this.tf = tf;
      this.ins = ins;
      this.x = ins.get(0);
      this.shape = shape;
      this.vars = vars;
      this.train = train;
      this.masks = train == null ? null : train.masks;
    }

    @Override
    public Operand<TFloat32> dense(Layer.Dense d) {
      Ops s = tf.withSubScope(d.name());
      int in = shape.input().dim(-1);
      // MatMul is rank 2: a dense layer on the last axis of a wider sample folds the other axes
      // into the batch and unfolds them after.
      boolean wide = shape.input().rank() > 1;
      Operand<TFloat32> x2 = wide ? s.reshape(x, s.constant(new long[] {-1, in})) : x;
      Operand<TFloat32> y =
          s.linalg.matMul(x2, vars.get(d.name() + ".weight"), MatMul.transposeB(true));
      if (d.bias()) {
        y = s.nn.biasAdd(y, vars.get(d.name() + ".bias"));
      }
      if (wide) {
        y = s.reshape(y, s.constant(batched(shape.output()).asArray()));
      }
      return y;
    }

    @Override
    public Operand<TFloat32> relu(Layer.Relu l) {
      return tf.withName(l.name()).nn.relu(x);
    }

    @Override
    public Operand<TFloat32> sigmoid(Layer.Sigmoid l) {
      return tf.withName(l.name()).math.sigmoid(x);
    }

    @Override
    public Operand<TFloat32> tanh(Layer.Tanh l) {
      return tf.withName(l.name()).math.tanh(x);
    }

    @Override
    public Operand<TFloat32> softmax(Layer.Softmax l) {
      // tf.nn.softmax works on the last axis, which is the IR's softmax axis.
      return tf.withName(l.name()).nn.softmax(x);
    }

    @Override
    public Operand<TFloat32> flatten(Layer.Flatten l) {
      // Row-major reshape of the sample axes is the IR's (NCHW) flatten order.
      return tf.withName(l.name())
          .reshape(x, tf.constant(new long[] {-1, shape.output().dim(0)}));
    }

    @Override
    public Operand<TFloat32> dropout(Layer.Dropout l) {
      if (masks == null || !masks.containsKey(l.name())) {
        return x;
      }
      return tf.withName(l.name()).math.mul(x, masks.get(l.name()));
    }

    @Override
    public Operand<TFloat32> leakyRelu(Layer.LeakyRelu l) {
      // TF's LeakyRelu is x > 0 ? x : alpha * x, and its gradient is 1 for x > 0 else alpha:
      // the same function and the same gradient at 0 as PyTorch's x >= 0 form.
      return tf.withName(l.name()).nn.leakyRelu(x, LeakyRelu.alpha((float) l.negativeSlope()));
    }

    @Override
    public Operand<TFloat32> elu(Layer.Elu l) {
      // TF's Elu op has alpha fixed at 1. elu_alpha(x) = x > 0 ? x : alpha * elu_1(x); Select
      // keeps the positive side exact, and elu_1 (unlike exp(x) - 1) cannot overflow there, so
      // the branch Select discards never feeds an inf into the gradient. At x = 0 the alpha
      // branch is taken, giving PyTorch's gradient alpha.
      Ops s = tf.withSubScope(l.name());
      Operand<TFloat32> scaled = s.math.mul(s.nn.elu(x), s.constant((float) l.alpha()));
      Operand<TBool> positive = s.math.greater(x, s.constant(0f));
      return tf.withName(l.name()).select(positive, x, scaled);
    }

    @Override
    public Operand<TFloat32> gelu(Layer.Gelu l) {
      // Exact GELU written as PyTorch's CPU kernel writes it, x * 0.5 * (1 + erf(x * 1/sqrt(2))),
      // so the two backends round alike; TF differentiates the composition (Erf has a
      // registered gradient), which is the exact GELU derivative PyTorch uses.
      Ops s = tf.withSubScope(l.name());
      Operand<TFloat32> erf = s.math.erf(s.math.mul(x, s.constant((float) (1 / Math.sqrt(2)))));
      Operand<TFloat32> half = s.math.mul(x, s.constant(0.5f));
      return tf.withName(l.name()).math.mul(half, s.math.add(erf, s.constant(1f)));
    }

    @Override
    public Operand<TFloat32> reshape(Layer.Reshape l) {
      // Row-major reshape to the concrete inferred shape (no -1 besides the batch axis), so the
      // static shape TF carries forward is fully known for the next layer.
      return tf.withName(l.name())
          .reshape(x, tf.constant(batched(shape.output()).asArray()));
    }

    /**
     * TF's CPU Conv2D runs NHWC only, so the activation enters and leaves this op in the IR's
     * NCHW (every other layer, dropout masks included, sees NCHW) and is NHWC only inside. The
     * variable stays OIHW, so checkpoints and gradients are canonical; the HWIO view TF wants is
     * a Transpose in the graph, whose gradient TF permutes back. Padding is an explicit Pad of
     * zeros with PyTorch's per-side amounts ("same" puts the odd extra on the bottom/right), then
     * a VALID convolution. TF's CPU kernels do not do grouped convolution, so groups are
     * lowered as one convolution per group on channel slices, concatenated: the definition of a
     * grouped convolution.
     */
    @Override
    public Operand<TFloat32> conv2d(Layer.Conv2d c) {
      Ops s = tf.withSubScope(c.name());
      Operand<TFloat32> nhwc = s.linalg.transpose(x, s.constant(new int[] {0, 2, 3, 1}));
      Layer.Padding p = c.padding();
      int kh = c.kernel().h();
      int kw = c.kernel().w();
      int dh = c.dilation().h();
      int dw = c.dilation().w();
      Operand<TFloat32> hwio =
          s.linalg.transpose(vars.get(c.name() + ".weight"), s.constant(new int[] {2, 3, 1, 0}));
      // Dilation is written into the kernel instead of Conv2D's dilations attribute: TF's C++
      // gradient for Conv2D drops that attribute (its Conv2DBackpropFilter then fails on the
      // shapes). Each tap gets d - 1 zero rows (columns) after it, so the kernel spans k * d;
      // the d - 1 trailing zero rows read d - 1 extra zero rows padded below the input, which
      // leaves the output positions and values exactly those of the dilated convolution.
      if (dh > 1) {
        Operand<TFloat32> taps = s.reshape(hwio, s.constant(new long[] {kh, 1, kw, -1, c.filters()}));
        taps = s.pad(taps, s.constant(new int[][] {{0, 0}, {0, dh - 1}, {0, 0}, {0, 0}, {0, 0}}), s.constant(0f));
        hwio = s.reshape(taps, s.constant(new long[] {(long) kh * dh, kw, -1, c.filters()}));
      }
      if (dw > 1) {
        long rows = dh > 1 ? (long) kh * dh : kh;
        Operand<TFloat32> taps = s.reshape(hwio, s.constant(new long[] {rows, kw, 1, -1, c.filters()}));
        taps = s.pad(taps, s.constant(new int[][] {{0, 0}, {0, 0}, {0, dw - 1}, {0, 0}, {0, 0}}), s.constant(0f));
        hwio = s.reshape(taps, s.constant(new long[] {rows, (long) kw * dw, -1, c.filters()}));
      }
      int[][] pads = {
        {0, 0}, {p.top(kh, dh), p.bottom(kh, dh) + dh - 1}, {p.left(kw, dw), p.right(kw, dw) + dw - 1}, {0, 0}
      };
      if (pads[1][0] + pads[1][1] + pads[2][0] + pads[2][1] > 0) {
        nhwc = s.pad(nhwc, s.constant(pads), s.constant(0f));
      }
      List<Long> strides = List.of(1L, (long) c.stride().h(), (long) c.stride().w(), 1L);
      Conv2d.Options[] opts = {Conv2d.dataFormat("NHWC")};
      Operand<TFloat32> y;
      if (c.groups() == 1) {
        y = s.nn.conv2d(nhwc, hwio, strides, "VALID", opts);
      } else {
        long g = c.groups();
        List<org.tensorflow.Output<TFloat32>> xs = s.split(s.constant(3), nhwc, g).output();
        List<org.tensorflow.Output<TFloat32>> ws = s.split(s.constant(3), hwio, g).output();
        List<Operand<TFloat32>> ys = new ArrayList<>();
        for (int i = 0; i < g; i++) {
          ys.add(s.withName("group" + i).nn.conv2d(xs.get(i), ws.get(i), strides, "VALID", opts));
        }
        y = s.concat(ys, s.constant(3));
      }
      if (c.bias()) {
        y = s.nn.biasAdd(y, vars.get(c.name() + ".bias"));
      }
      return tf.withName(c.name()).linalg.transpose(y, s.constant(new int[] {0, 3, 1, 2}));
    }

    /**
     * NHWC inside the op, NCHW outside, as for conv2d. Padding is an explicit Pad with −∞, which
     * never wins a window, then a VALID MaxPool: PyTorch's implicit padding.
     */
    @Override
    public Operand<TFloat32> maxPool2d(Layer.MaxPool2d p) {
      return pool(p.name(), p.kernel(), p.stride(), p.padding(), Float.NEGATIVE_INFINITY, true);
    }

    /**
     * Zero Pad then a VALID AvgPool: every window then has kh * kw elements, zeros included,
     * which is PyTorch's count_include_pad=True divisor exactly.
     */
    @Override
    public Operand<TFloat32> avgPool2d(Layer.AvgPool2d p) {
      return pool(p.name(), p.kernel(), p.stride(), p.padding(), 0f, false);
    }

    /** Mean over the H and W axes of the NCHW activation; no layout change needed. */
    @Override
    public Operand<TFloat32> globalAvgPool2d(Layer.GlobalAvgPool2d l) {
      return tf.withName(l.name()).math.mean(x, tf.constant(new int[] {2, 3}));
    }

    /**
     * Batch norm on the NCHW activation, per channel (axis 1) over every other axis. Written
     * in the form of PyTorch's CPU kernel (batch_norm_cpu_collect_linear_and_constant_terms):
     * per channel alpha = invstd * weight and beta = bias - mean * alpha, then y = x * alpha +
     * beta, with invstd = 1 / sqrt(var + epsilon). Training uses the batch's mean and biased
     * variance (TF's gradient registry differentiates through them, which is the full batch
     * norm gradient) and reports the statistics for the running-stat update; evaluation uses
     * the running statistics, which it only reads.
     */
    @Override
    public Operand<TFloat32> batchNorm(Layer.BatchNorm b) {
      Ops s = tf.withSubScope(b.name());
      int channels = shape.input().dim(0);
      if (train == null) {
        // Per-channel vectors [C] are viewed as [C] ([N, C] input) or [C, 1, 1] ([N, C, H, W]
        // input) so they broadcast along the channel axis.
        Operand<TInt32> perChannel =
            s.constant(shape.input().rank() == 1 ? new int[] {channels} : new int[] {channels, 1, 1});
        Operand<TFloat32> invstd = reciprocalSqrt(s, vars.get(b.name() + ".running_var"), b.epsilon());
        Operand<TFloat32> alpha = s.math.mul(invstd, vars.get(b.name() + ".weight"));
        Operand<TFloat32> beta =
            s.math.sub(vars.get(b.name() + ".bias"), s.math.mul(vars.get(b.name() + ".running_mean"), alpha));
        Operand<TFloat32> scaled = s.math.mul(x, s.reshape(alpha, perChannel));
        return tf.withName(b.name()).math.add(scaled, s.reshape(beta, perChannel));
      }
      // Training: PyTorch's CPU kernel accumulates the batch statistics and the backward
      // sums (sum dy, sum dy * (x - mean)) in double over N * H * W values per channel; a
      // float32 reduction over 50,000 values drifts by ~1e-5 relative, enough to break
      // gradient parity.
      if (shape.input().rank() == 3) {
        return imageBatchNormTraining(b, s);
      }
      // Vector input ([N, C]): N values per channel, so the whole normalisation runs in float64
      // (TF's gradients of these ops then reduce in float64 too) and is rounded once at the end.
      // The [C] statistics broadcast along the batch axis as they are.
      Operand<TInt32> axes = s.constant(new int[] {0});
      Operand<TFloat64> xd = s.dtypes.cast(x, TFloat64.class);
      Operand<TFloat64> mean = s.withName("batch_mean").math.mean(xd, axes);
      Operand<TFloat64> squared = s.math.square(s.math.sub(xd, mean));
      Operand<TFloat64> var = s.withName("batch_var").math.mean(squared, axes);
      // Off the loss path: only the running-stat update reads these.
      Operand<TFloat32> count =
          s.math.div(s.dtypes.cast(s.size(x), TFloat32.class), s.constant((float) channels));
      train.batchStats.add(
          new BatchStats(b, s.dtypes.cast(mean, TFloat32.class),
              s.dtypes.cast(s.sum(squared, axes), TFloat32.class), count));
      Operand<TFloat64> alpha =
          s.math.mul(reciprocalSqrt64(s, var, b.epsilon()), s.dtypes.cast(vars.get(b.name() + ".weight"), TFloat64.class));
      Operand<TFloat64> beta =
          s.math.sub(s.dtypes.cast(vars.get(b.name() + ".bias"), TFloat64.class), s.math.mul(mean, alpha));
      Operand<TFloat64> y = s.math.add(s.math.mul(xd, alpha), beta);
      return tf.withName(b.name()).dtypes.cast(y, TFloat32.class);
    }

    /**
     * Training-mode batch norm on [N, C, H, W] with the precision of PyTorch's kernel at float32
     * cost. Every per-channel sum is taken in two stages: over each sample's H * W values in
     * float32 (a few hundred values), then over the batch in float64. The per-channel scale,
     * mean and shift reach the activations through an explicit [N, C, 1, 1] broadcast, so TF's
     * gradients reduce in the same two stages (Mul/Sub/Add sum over H and W, BroadcastTo over
     * N). The output is centred first, y = (x - mean) * (invstd * weight) + bias, so no
     * gradient is a difference of two large sums. Elementwise work stays float32.
     */
    private Operand<TFloat32> imageBatchNormTraining(Layer.BatchNorm b, Ops s) {
      int channels = shape.input().dim(0);
      Operand<TInt32> spatial = s.constant(new int[] {2, 3});
      Operand<TInt32> batchAxis = s.constant(new int[] {0});
      Operand<TInt32> vector = s.constant(new int[] {1, channels, 1, 1});
      Operand<TInt32> perSample =
          s.concat(List.of(s.slice(s.shape(x), s.constant(new int[] {0}), s.constant(new int[] {1})),
              s.constant(new int[] {channels, 1, 1})), s.constant(0));
      Operand<TFloat64> count = s.math.div(s.dtypes.cast(s.size(x), TFloat64.class), s.constant((double) channels));
      Operand<TFloat64> mean =
          s.withName("batch_mean").math.div(s.sum(s.dtypes.cast(s.sum(x, spatial), TFloat64.class), batchAxis), count);
      Operand<TFloat32> centered =
          s.math.sub(x, s.broadcastTo(s.reshape(s.dtypes.cast(mean, TFloat32.class), vector), perSample));
      Operand<TFloat64> squares =
          s.sum(s.dtypes.cast(s.sum(s.math.square(centered), spatial), TFloat64.class), batchAxis);
      Operand<TFloat64> var = s.withName("batch_var").math.div(squares, count);
      train.batchStats.add(
          new BatchStats(b, s.dtypes.cast(mean, TFloat32.class), s.dtypes.cast(squares, TFloat32.class),
              s.dtypes.cast(count, TFloat32.class)));
      Operand<TFloat32> scale = s.dtypes.cast(
          s.math.mul(reciprocalSqrt64(s, var, b.epsilon()), s.dtypes.cast(vars.get(b.name() + ".weight"), TFloat64.class)),
          TFloat32.class);
      Operand<TFloat32> scaled = s.math.mul(centered, s.broadcastTo(s.reshape(scale, vector), perSample));
      return tf.withName(b.name()).math.add(scaled, s.broadcastTo(s.reshape(vars.get(b.name() + ".bias"), vector), perSample));
    }

    /**
     * Layer norm over the last {@code axes} axes of each sample, as PyTorch's CPU kernel writes
     * it: y = (x - mean) * rstd * weight + bias, rstd = 1 / sqrt(var + epsilon), biased
     * variance. The weight and bias have the shape of the normalised (trailing) axes, so they
     * broadcast as they are. Training and evaluation are the same.
     */
    @Override
    public Operand<TFloat32> layerNorm(Layer.LayerNorm l) {
      Ops s = tf.withSubScope(l.name());
      int rank = shape.input().rank() + 1; // with the batch axis
      int[] axes = new int[l.axes()];
      for (int k = 0; k < axes.length; k++) {
        axes[k] = rank - l.axes() + k;
      }
      Operand<TInt32> ax = s.constant(axes);
      Operand<TFloat32> centered = s.math.sub(x, s.math.mean(x, ax, Mean.keepDims(true)));
      Operand<TFloat32> var = s.math.mean(s.math.square(centered), ax, Mean.keepDims(true));
      Operand<TFloat32> rstd = reciprocalSqrt(s, var, l.epsilon());
      Operand<TFloat32> normed = s.math.mul(s.math.mul(centered, rstd), vars.get(l.name() + ".weight"));
      return tf.withName(l.name()).math.add(normed, vars.get(l.name() + ".bias"));
    }

    /**
     * 1 / sqrt(v + epsilon) as a correctly rounded Sqrt and Div, as PyTorch computes it; TF's
     * Rsqrt kernel may use Eigen's fast approximate reciprocal square root.
     */
    private static Operand<TFloat32> reciprocalSqrt(Ops s, Operand<TFloat32> v, double epsilon) {
      return s.math.div(s.constant(1f), s.math.sqrt(s.math.add(v, s.constant((float) epsilon))));
    }

    /** {@link #reciprocalSqrt} in float64, for training-mode batch statistics. */
    private static Operand<TFloat64> reciprocalSqrt64(Ops s, Operand<TFloat64> v, double epsilon) {
      return s.math.div(s.constant(1.0), s.math.sqrt(s.math.add(v, s.constant(epsilon))));
    }

    /** Sum of the inputs, left to right ((a + b) + c), as a chain of adds sums them. */
    @Override
    public Operand<TFloat32> add(Layer.Add a) {
      Ops s = tf.withSubScope(a.name());
      Operand<TFloat32> sum = ins.get(0);
      for (int k = 1; k < ins.size(); k++) {
        sum = (k == ins.size() - 1 ? tf.withName(a.name()) : s).math.add(sum, ins.get(k));
      }
      return sum;
    }

    /** Concatenation along the sample axis, i.e. tensor axis sampleAxis + 1 of NCHW. */
    @Override
    public Operand<TFloat32> concat(Layer.Concat c) {
      int axis = c.sampleAxis(shape.input().rank()) + 1;
      return tf.withName(c.name()).concat(ins, tf.withSubScope(c.name()).constant(axis));
    }

    private Operand<TFloat32> pool(
        String name, Layer.Hw kernel, Layer.Hw stride, Layer.Hw padding, float padValue, boolean max) {
      Ops s = tf.withSubScope(name);
      Operand<TFloat32> nhwc = s.linalg.transpose(x, s.constant(new int[] {0, 2, 3, 1}));
      if (padding.h() > 0 || padding.w() > 0) {
        int[][] pads = {{0, 0}, {padding.h(), padding.h()}, {padding.w(), padding.w()}, {0, 0}};
        nhwc = s.pad(nhwc, s.constant(pads), s.constant(padValue));
      }
      List<Long> k = List.of(1L, (long) kernel.h(), (long) kernel.w(), 1L);
      List<Long> st = List.of(1L, (long) stride.h(), (long) stride.w(), 1L);
      Operand<TFloat32> y =
          max
              ? s.nn.maxPool(nhwc, s.constant(new int[] {1, kernel.h(), kernel.w(), 1}),
                  s.constant(new int[] {1, stride.h(), stride.w(), 1}), "VALID")
              : s.nn.avgPool(nhwc, k, st, "VALID");
      return tf.withName(name).linalg.transpose(y, s.constant(new int[] {0, 3, 1, 2}));
    }
  }
}
