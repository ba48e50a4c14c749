package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.ParamSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Lowers the IR to TensorFlow graph ops. Parameters are graph variables named exactly as the
 * canonical parameters ({@code fc1.weight}) and kept in the canonical layout: a dense weight
 * stays {@code [out, in]} and the layer multiplies by its transpose, so weights and gradients
 * leave the graph with no permute. Layers that take more than a few ops live in their own
 * {@code Tf*} files.
 */
final class TensorflowLowering {
  private TensorflowLowering() {}

  /** One variable per parameter, in the order of {@link CheckedSpec#params}. */
  static Map<String, Variable<TFloat32>> variables(Ops tf, CheckedSpec spec) {
    Map<String, Variable<TFloat32>> vars = new LinkedHashMap<>();
    for (ParamSpec p : spec.params()) {
      vars.put(
          p.name(),
          tf.withName(p.name()).variable(org.tensorflow.ndarray.Shape.of(p.shape().dimsLong()), TFloat32.class));
    }
    return vars;
  }

  /**
   * What a training forward pass needs and produces besides its output: the dropout masks it
   * is fed, and the batch statistics each batch_norm layer computed, from which the train step
   * updates the running statistics. A forward pass without one is an evaluation pass (dropout
   * off, batch_norm on its running statistics).
   */
  static final class TrainPass {
    final Map<String, Placeholder<TFloat32>> masks;
    final List<TfBatchNorm.BatchStats> batchStats = new ArrayList<>();

    TrainPass(Map<String, Placeholder<TFloat32>> masks) {
      this.masks = masks;
    }
  }

  /**
   * The forward pass, walked with {@link CheckedSpec#forward} so a layer may read any earlier
   * layer or the model input.
   *
   * @param train the training pass's masks and statistics collector, or null for evaluation
   *     (dropout is the identity, batch_norm uses the running statistics)
   */
  @SuppressWarnings("unchecked")
  static Operand<TFloat32> forward(
      Ops tf, CheckedSpec spec, Operand<?> input, Map<String, ? extends Operand<TFloat32>> vars, TrainPass train) {
    // Token ids are no float activation: the walk carries null for the model input, and the
    // embeddings (the only layers that read it) take the ids from LayerOps.
    Operand<TInt64> tokens = spec.takesTokens() ? (Operand<TInt64>) input : null;
    TfActivation features =
        spec.takesTokens() ? null : TfActivation.canonical((Operand<TFloat32>) input, spec.input().dimsLong());
    TfActivation out =
        spec.forward(features, (shape, ins) -> shape.layer().accept(new LayerOps(tf, ins, shape, vars, train, tokens)));
    return out.canonical(tf);
  }

  /**
   * The model input: float32 {@code [batch, ...sample]}, or int64 token ids {@code [batch,
   * length]} with the length left open, so a prediction may be shorter than the training
   * sequences.
   */
  static Placeholder<?> input(Ops tf, CheckedSpec spec) {
    return spec.takesTokens()
        ? tf.placeholder(TInt64.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, -1)))
        : tf.placeholder(TFloat32.class, Placeholder.shape(TfOps.batched(spec.input())));
  }

  /**
   * Dropout masks the training graph is fed: one placeholder per layer with a seeded mask
   * ({@link Layer#dropoutRate} above 0), shaped as {@link Layer#dropoutMask} with a batch axis.
   */
  static Map<String, Placeholder<TFloat32>> maskPlaceholders(Ops tf, CheckedSpec spec) {
    Map<String, Placeholder<TFloat32>> masks = new LinkedHashMap<>();
    for (LayerShape shape : spec.shapes()) {
      Layer l = shape.layer();
      if (l.dropoutRate() > 0) {
        masks.put(
            l.name(),
            tf.withSubScope(l.name()).withName("mask")
                .placeholder(TFloat32.class, Placeholder.shape(TfOps.batched(l.dropoutMask(shape.input())))));
      }
    }
    return masks;
  }

  /**
   * The ops of one layer, given the activations it reads and its shapes. A layer that runs
   * channels-last or works in either layout reads {@link TfActivation#value} and keeps the
   * layout; one that reads the IR's order takes {@link #x()}, the first input in that order.
   */
  private static final class LayerOps implements Layer.Visitor<TfActivation> {
    private final Ops tf;
    /** Everything the layer reads, in the order of its inputs; {@link #in} is the first. */
    private final List<TfActivation> ins;
    private final TfActivation in;
    private final LayerShape shape;
    private final Map<String, ? extends Operand<TFloat32>> vars;
    private final TrainPass train;
    private final Map<String, Placeholder<TFloat32>> masks;
    /** The model's token ids, which only an embedding reads; null for float input. */
    private final Operand<TInt64> tokens;

    LayerOps(
        Ops tf, List<TfActivation> ins, LayerShape shape, Map<String, ? extends Operand<TFloat32>> vars,
        TrainPass train, Operand<TInt64> tokens) {
      this.tf = tf;
      this.tokens = tokens;
      this.ins = ins;
      this.in = ins.get(0);
      this.shape = shape;
      this.vars = vars;
      this.train = train;
      this.masks = train == null ? null : train.masks;
    }

    /**
     * Whether a layer with a written-out gradient (GELU, layer norm) attaches it: in a training
     * pass, where the custom-gradient bridge registered. Batch norm decides in {@link TfBatchNorm},
     * which knows whether it trains on batch statistics.
     */
    private boolean handWrittenGradients() {
      return train != null && TfCustomGradient.available();
    }

    /** The first input in the IR's layout. */
    private Operand<TFloat32> x() {
      return in.canonical(tf);
    }

    /** A result in the IR's layout, shaped as this layer's output. */
    private TfActivation out(Operand<TFloat32> y) {
      return TfActivation.canonical(y, shape.output().dimsLong());
    }

    /** A result held channels-last, shaped (in the IR's order) as this layer's output. */
    private TfActivation channelsLast(Operand<TFloat32> y) {
      return TfActivation.channelsLast(y, shape.output().dimsLong());
    }

    /**
     * Every input in one layout, for layers that combine them elementwise or by concatenation:
     * channels-last if any image input already is (so no channels-last branch turns back),
     * else the IR's.
     */
    private List<Operand<TFloat32>> aligned(boolean channelsLast) {
      List<Operand<TFloat32>> values = new ArrayList<>(ins.size());
      for (TfActivation a : ins) {
        values.add(channelsLast ? a.channelsLast(tf) : a.canonical(tf));
      }
      return values;
    }

    private boolean anyChannelsLast() {
      return ins.stream().allMatch(TfActivation::isImage) && ins.stream().anyMatch(TfActivation::isChannelsLast);
    }

    @Override
    public TfActivation dense(Layer.Dense d) {
      Ops s = tf.withSubScope(d.name());
      Operand<TFloat32> x = x();
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
        // Back to the input's leading axes as the graph runs them: a sequence may be shorter
        // at prediction than the shape validation worked out.
        int rank = shape.input().rank() + 1;
        Operand<TInt32> lead = s.slice(s.shape(x), s.constant(new int[] {0}), s.constant(new int[] {rank - 1}));
        y = s.reshape(y, s.concat(List.of(lead, s.constant(new int[] {d.units()})), s.constant(0)));
      }
      return out(y);
    }

    @Override
    public TfActivation relu(Layer.Relu l) {
      return in.with(tf.withName(l.name()).nn.relu(in.value()));
    }

    @Override
    public TfActivation sigmoid(Layer.Sigmoid l) {
      return in.with(tf.withName(l.name()).math.sigmoid(in.value()));
    }

    @Override
    public TfActivation tanh(Layer.Tanh l) {
      return in.with(tf.withName(l.name()).math.tanh(in.value()));
    }

    @Override
    public TfActivation softmax(Layer.Softmax l) {
      // tf.nn.softmax works on the last axis, which is the IR's softmax axis.
      return out(tf.withName(l.name()).nn.softmax(x()));
    }

    @Override
    public TfActivation flatten(Layer.Flatten l) {
      // Row-major reshape of the sample axes is the IR's (NCHW) flatten order.
      return out(tf.withName(l.name())
          .reshape(x(), tf.constant(new long[] {-1, shape.output().dim(0)})));
    }

    @Override
    public TfActivation dropout(Layer.Dropout l) {
      if (masks == null || !masks.containsKey(l.name())) {
        return in;
      }
      // The mask is fed in the IR's layout; a channels-last activation takes it transposed.
      Operand<TFloat32> mask = masks.get(l.name());
      if (in.isChannelsLast()) {
        mask = tf.withSubScope(l.name()).linalg.transpose(mask, tf.constant(TfActivation.toChannelsLast()));
      }
      return in.with(tf.withName(l.name()).math.mul(in.value(), mask));
    }

    @Override
    public TfActivation leakyRelu(Layer.LeakyRelu l) {
      // TF's LeakyRelu is x > 0 ? x : alpha * x, and its gradient is 1 for x > 0 else alpha:
      // the same function and the same gradient at 0 as PyTorch's x >= 0 form.
      return in.with(tf.withName(l.name()).nn.leakyRelu(in.value(), LeakyRelu.alpha((float) l.negativeSlope())));
    }

    @Override
    public TfActivation elu(Layer.Elu l) {
      Operand<TFloat32> x = in.value();
      // TF's Elu op has alpha fixed at 1. elu_alpha(x) = x > 0 ? x : alpha * elu_1(x); Select
      // keeps the positive side exact, and elu_1 (unlike exp(x) - 1) cannot overflow there, so
      // the branch Select discards never feeds an inf into the gradient. At x = 0 the alpha
      // branch is taken, giving PyTorch's gradient alpha.
      Ops s = tf.withSubScope(l.name());
      Operand<TFloat32> scaled = s.math.mul(s.nn.elu(x), s.constant((float) l.alpha()));
      Operand<TBool> positive = s.math.greater(x, s.constant(0f));
      return in.with(tf.withName(l.name()).select(positive, x, scaled));
    }

    @Override
    public TfActivation gelu(Layer.Gelu l) {
      return in.with(TfGelu.lower(tf, l, in.value(), handWrittenGradients()));
    }

    /** x * sigmoid(x), as the PyTorch and ONNX lowerings compute it. */
    @Override
    public TfActivation silu(Layer.Silu l) {
      Ops s = tf.withSubScope(l.name());
      Operand<TFloat32> x = in.value();
      return in.with(tf.withName(l.name()).math.mul(x, s.math.sigmoid(x)));
    }

    @Override
    public TfActivation reshape(Layer.Reshape l) {
      // Row-major reshape to the concrete inferred shape (no -1 besides the batch axis), so the
      // static shape TF carries forward is fully known for the next layer.
      return out(tf.withName(l.name())
          .reshape(x(), tf.constant(TfOps.batched(shape.output()).asArray())));
    }

    @Override
    public TfActivation conv2d(Layer.Conv2d c) {
      return channelsLast(TfConv2d.lower(tf, c, shape, in.channelsLast(tf), vars));
    }

    @Override
    public TfActivation maxPool2d(Layer.MaxPool2d p) {
      return channelsLast(TfPool2d.max(tf, p, in.channelsLast(tf)));
    }

    @Override
    public TfActivation avgPool2d(Layer.AvgPool2d p) {
      return channelsLast(TfPool2d.average(tf, p, in.channelsLast(tf)));
    }

    /** Mean over the H and W axes, wherever the layout holds them; the result is [N, C]. */
    @Override
    public TfActivation globalAvgPool2d(Layer.GlobalAvgPool2d l) {
      return out(tf.withName(l.name()).math.mean(in.value(), tf.constant(TfActivation.spatialAxes(in.isChannelsLast()))));
    }

    @Override
    public TfActivation batchNorm(Layer.BatchNorm b) {
      // A frozen batch norm in inference mode normalises with its running statistics in the
      // training graph too, and collects no batch statistics (so nothing updates them).
      boolean batchStatistics = train != null && !shape.options().batchNormInInferenceMode();
      return in.with(TfBatchNorm.lower(tf, b, shape, in.value(), in.isChannelsLast(), vars,
          batchStatistics ? train.batchStats : null));
    }

    @Override
    public TfActivation layerNorm(Layer.LayerNorm l) {
      return out(TfLayerNorm.lower(tf, l, shape, x(), vars, handWrittenGradients()));
    }

    /** Sum of the inputs, left to right ((a + b) + c), as a chain of adds sums them. */
    @Override
    public TfActivation add(Layer.Add a) {
      Ops s = tf.withSubScope(a.name());
      boolean channelsLast = anyChannelsLast();
      List<Operand<TFloat32>> terms = aligned(channelsLast);
      Operand<TFloat32> sum = terms.get(0);
      for (int k = 1; k < terms.size(); k++) {
        sum = (k == terms.size() - 1 ? tf.withName(a.name()) : s).math.add(sum, terms.get(k));
      }
      return channelsLast ? channelsLast(sum) : out(sum);
    }

    /**
     * GatherV2 of the ids on the weight's value: TF's registry has no gradient for Gather (v1)
     * or ResourceGather, and the variable passes through Identity to shed its reference type.
     */
    @Override
    public TfActivation embedding(Layer.Embedding e) {
      Ops s = tf.withSubScope(e.name());
      return out(tf.withName(e.name()).gather(s.identity(vars.get(e.name() + ".weight")), tokens, s.constant(0)));
    }

    /** {@code x + weight[0:T]}, T read from the activation when the graph runs. */
    @Override
    public TfActivation positionEmbedding(Layer.PositionEmbedding p) {
      Ops s = tf.withSubScope(p.name());
      Operand<TFloat32> x = x();
      Operand<TInt32> t = s.gather(s.shape(x), s.constant(1), s.constant(0));
      Operand<TFloat32> rows = s.slice(s.identity(vars.get(p.name() + ".weight")), s.constant(new int[] {0, 0}),
          s.stack(List.of(t, s.constant(-1))));
      return out(tf.withName(p.name()).math.add(x, rows));
    }

    @Override
    public TfActivation multiHeadAttention(Layer.MultiHeadAttention a) {
      return out(TfAttention.lower(tf, a, shape, x(), vars, masks == null ? null : masks.get(a.name())));
    }

    /**
     * Concatenation along the sample axis: tensor axis sampleAxis + 1 of NCHW, or where that
     * axis sits in NHWC when the inputs are channels-last.
     */
    @Override
    public TfActivation concat(Layer.Concat c) {
      boolean channelsLast = anyChannelsLast();
      int axis = TfActivation.axis(c.sampleAxis(shape.input().rank()) + 1, channelsLast);
      Operand<TFloat32> y = tf.withName(c.name()).concat(aligned(channelsLast), tf.withSubScope(c.name()).constant(axis));
      return channelsLast ? channelsLast(y) : out(y);
    }
  }
}
