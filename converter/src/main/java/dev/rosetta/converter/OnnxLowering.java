package dev.rosetta.converter;

import static dev.rosetta.converter.OnnxGraphBuilder.floatAttribute;
import static dev.rosetta.converter.OnnxGraphBuilder.intAttribute;
import static dev.rosetta.converter.OnnxGraphBuilder.intsAttribute;
import static dev.rosetta.converter.OnnxGraphBuilder.tensorAttribute;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.rosetta.RosettaVersion;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.weights.WeightSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lowers the IR plus canonical weights to an ONNX model: the third lowering beside PyTorch and
 * TensorFlow. Each layer becomes nodes through a private {@link Layer.Visitor}, so a new layer
 * kind does not compile until it has an ONNX lowering here; {@link OnnxGraphBuilder} holds the
 * graph being built.
 *
 * <p>Layers are lowered in spec order through {@link CheckedSpec#walk}: each reads the tensors of
 * the layers (or the model input) it names, so a stack and a graph (skip connections, branches,
 * joins) lower alike, and a stack exports exactly as before graphs existed.
 *
 * <p>The graph reads {@value #INPUT} of shape {@code [batch, ...spec.input]} (the batch axis is
 * the symbolic dimension {@value #BATCH}) and writes {@value #OUTPUT}. Initialisers carry the
 * canonical parameter names ({@code fc1.weight}, PyTorch layout {@code [out, in]}), so a weight
 * in the file can be traced to the checkpoint it came from.
 */
public final class OnnxLowering {
  public static final String INPUT = "input";
  public static final String OUTPUT = "output";
  public static final String BATCH = "batch";
  /** The symbolic length of token sequences, for a model that takes shorter ones. */
  public static final String SEQUENCE = "sequence";
  public static final String PRODUCER = "rosetta";

  /** Metadata keys the lowering derives from the spec itself; they override a caller's. */
  public static final String SPEC_HASH = "spec_hash";
  public static final String SPEC_NAME = "spec_name";
  public static final String ROSETTA_VERSION = "rosetta_version";
  /** Metadata key of the fitted preprocessing statistics ({@link Preprocessor#toJson}), when exported with them. */
  public static final String PREPROCESS = "rosetta_preprocess";
  /** The string input of a graph that preprocesses categorical columns. */
  public static final String CATEGORICAL = OnnxPreprocessing.CATEGORICAL;

  /** sqrt(2 / pi) and 0.044715, the tanh GELU's constants, as float32. */
  static final float GELU_TANH_BETA = (float) Math.sqrt(2 / Math.PI);

  static final float GELU_TANH_KAPPA = 0.044715f;

  private OnnxLowering() {}

  /** {@link #lower(CheckedSpec, WeightSet, Map, int)} at the default opset. */
  public static ModelProto lower(CheckedSpec spec, WeightSet weights, Map<String, String> provenance) {
    return lower(spec, weights, provenance, OnnxOpset.DEFAULT);
  }

  /**
   * Builds the ONNX model.
   *
   * @param provenance stored in {@code metadata_props} (backend, versions, seed, step, ...), may
   *     be null; {@value #SPEC_HASH}, {@value #SPEC_NAME}, {@value #ROSETTA_VERSION} and the
   *     spec's canonical JSON ({@value OnnxImport#SPEC_METADATA}, which lets {@link OnnxImport}
   *     return the spec exactly) are always taken from the spec and this build
   * @param opset {@link OnnxOpset#MIN}..{@link OnnxOpset#MAX}; fixes the IR version
   * @throws WeightSet.WeightMismatchException when the weights do not fit the spec
   */
  public static ModelProto lower(
      CheckedSpec spec, WeightSet weights, Map<String, String> provenance, int opset) {
    return lower(spec, weights, provenance, opset, null);
  }

  /**
   * Builds the ONNX model, preceded by the fitted preprocessing when there is one: the graph then
   * reads raw table rows ({@link OnnxPreprocessing}) instead of {@value #INPUT} of the spec's
   * input shape, and the statistics travel in {@code metadata_props} under {@value #PREPROCESS}.
   *
   * @param preprocessor the checkpoint's fitted preprocessing, or null
   */
  public static ModelProto lower(
      CheckedSpec spec, WeightSet weights, Map<String, String> provenance, int opset, Preprocessor preprocessor) {
    long irVersion = OnnxOpset.irVersion(opset);
    weights.requireMatches(spec, "weights");
    OnnxGraphBuilder g = new OnnxGraphBuilder(weights);
    String start = preprocessor == null ? INPUT : OnnxPreprocessing.lower(g, preprocessor);
    // Each layer's value is the name of the tensor holding its output.
    String output = spec.forward(start, (shape, ins) -> shape.layer().accept(new LayerNodes(g, shape, ins, opset)));
    boolean open = spec.takesShorterSequences();
    List<ValueInfoProto> inputs = preprocessor == null
        ? List.of(OnnxGraphBuilder.valueInfo(INPUT, spec.input(), spec.takesTokens() ? TensorProto.DataType.INT64 : TensorProto.DataType.FLOAT, open))
        : OnnxPreprocessing.inputs(preprocessor);
    GraphProto graph = g.finish(spec.name(), inputs, output, OnnxGraphBuilder.valueInfo(OUTPUT, spec.output(), TensorProto.DataType.FLOAT, open));

    Map<String, String> meta = new TreeMap<>(provenance == null ? Map.of() : provenance);
    meta.put(SPEC_HASH, SpecJson.hash(spec));
    meta.put(SPEC_NAME, spec.name());
    meta.put(ROSETTA_VERSION, RosettaVersion.VERSION);
    meta.put(OnnxImport.SPEC_METADATA, SpecJson.write(spec));
    if (preprocessor != null) {
      meta.put(PREPROCESS, preprocessor.toJson());
    }
    ModelProto.Builder model =
        ModelProto.newBuilder()
            .setIrVersion(irVersion)
            .setProducerName(PRODUCER)
            .setProducerVersion(RosettaVersion.VERSION)
            .setDocString("Rosetta model '" + spec.name() + "'")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
            .setGraph(graph);
    if (preprocessor != null && !preprocessor.categorical().isEmpty()) {
      model.addOpsetImport(
          OperatorSetIdProto.newBuilder().setDomain(OnnxPreprocessing.ML).setVersion(OnnxPreprocessing.mlOpset(opset)));
    }
    meta.forEach(
        (k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return model.build();
  }

  /** The nodes of one layer; returns the name of the tensor holding its output. */
  private static final class LayerNodes implements Layer.Visitor<String> {
    private final OnnxGraphBuilder g;
    private final LayerShape shape;
    /** Every tensor the layer reads, in order; {@link #current} is the first. */
    private final List<String> inputs;
    private final String current;
    /** The per-sample shape of {@link #current}. */
    private final Shape in;
    /** The target opset: decides how a layer norm is spelled. */
    private final int opset;

    LayerNodes(OnnxGraphBuilder g, LayerShape shape, List<String> inputs, int opset) {
      this.g = g;
      this.shape = shape;
      this.inputs = inputs;
      this.current = inputs.get(0);
      this.in = shape.input();
      this.opset = opset;
    }

    /**
     * Gemm when the activation is {@code [batch, features]}: one fused node, and the layout ONNX
     * Runtime's fastest path expects. Gemm is defined on matrices only, so a dense layer on a
     * higher-rank activation ({@code [batch, 3, 4]}) becomes MatMul (which broadcasts over leading
     * axes) on the transposed weight, plus Add for the bias. The weight stays in the file in its
     * canonical {@code [out, in]} layout under its canonical name; a Transpose node named after
     * the layer makes the {@code [in, out]} view, which ONNX Runtime folds at load time.
     */
    @Override
    public String dense(Layer.Dense d) {
      String weight = g.initializer(d.name() + ".weight");
      String bias = d.bias() ? g.initializer(d.name() + ".bias") : null;
      String out = d.name() + ".output";
      if (in.rank() == 1) {
        NodeProto.Builder gemm = g.node("Gemm", d.name(), out, current, weight);
        if (bias != null) {
          gemm.addInput(bias);
        }
        gemm.addAttribute(intAttribute("transB", 1));
        return out;
      }
      String transposed = d.name() + ".weight_transposed";
      g.node("Transpose", d.name() + "/transpose_weight", transposed, weight)
          .addAttribute(intsAttribute("perm", 1, 0));
      if (bias == null) {
        g.node("MatMul", d.name() + "/matmul", out, current, transposed);
        return out;
      }
      String product = d.name() + ".matmul";
      g.node("MatMul", d.name() + "/matmul", product, current, transposed);
      g.node("Add", d.name() + "/add_bias", out, product, bias);
      return out;
    }

    @Override
    public String relu(Layer.Relu l) {
      return g.unary("Relu", l.name(), current);
    }

    @Override
    public String sigmoid(Layer.Sigmoid l) {
      return g.unary("Sigmoid", l.name(), current);
    }

    @Override
    public String tanh(Layer.Tanh l) {
      return g.unary("Tanh", l.name(), current);
    }

    @Override
    public String softmax(Layer.Softmax l) {
      String out = l.name() + ".output";
      g.node("Softmax", l.name(), out, current).addAttribute(intAttribute("axis", -1));
      return out;
    }

    @Override
    public String flatten(Layer.Flatten l) {
      String out = l.name() + ".output";
      g.node("Flatten", l.name(), out, current).addAttribute(intAttribute("axis", 1));
      return out;
    }

    /** Identity at inference: no node, the activation passes through under its own name. */
    @Override
    public String dropout(Layer.Dropout l) {
      return current;
    }

    /** ONNX LeakyRelu is x >= 0 ? x : alpha * x: PyTorch's definition, opset 6 onward. */
    @Override
    public String leakyRelu(Layer.LeakyRelu l) {
      String out = l.name() + ".output";
      g.node("LeakyRelu", l.name(), out, current)
          .addAttribute(floatAttribute("alpha", (float) l.negativeSlope()));
      return out;
    }

    /** ONNX Elu is x >= 0 ? x : alpha * (exp(x) - 1): equal to PyTorch's at 0 too (both 0). */
    @Override
    public String elu(Layer.Elu l) {
      String out = l.name() + ".output";
      g.node("Elu", l.name(), out, current).addAttribute(floatAttribute("alpha", (float) l.alpha()));
      return out;
    }

    /**
     * GELU decomposed into the order PyTorch's kernel evaluates. Exact: x * 0.5 * (1 + Erf(x *
     * 1/sqrt(2))); tanh form: x * 0.5 * (1 + Tanh((x + x * x * x * 0.044715) * sqrt(2/pi))).
     * The Gelu operator only exists from opset 20, and one decomposition at every opset keeps a
     * single graph shape to test and to compare across opsets; Erf and Tanh are in every
     * supported opset. The scalars are Constant nodes, not initialisers, so the file's
     * initialisers stay exactly the spec's parameters.
     */
    @Override
    public String gelu(Layer.Gelu l) {
      String n = l.name();
      String curve =
          switch (l.approximate()) {
            case NONE -> {
              String invSqrt2 = g.scalar(n + "/inv_sqrt2", n + ".inv_sqrt2", (float) (1 / Math.sqrt(2)));
              geluConstants(n);
              g.node("Mul", n + "/scale", n + ".scaled", current, invSqrt2);
              g.node("Erf", n + "/erf", n + ".erf", n + ".scaled");
              yield n + ".erf";
            }
            case TANH -> {
              String kappa = g.scalar(n + "/kappa", n + ".kappa", GELU_TANH_KAPPA);
              String beta = g.scalar(n + "/beta", n + ".beta", GELU_TANH_BETA);
              geluConstants(n);
              g.node("Mul", n + "/square", n + ".square", current, current);
              g.node("Mul", n + "/cube", n + ".cube", n + ".square", current);
              g.node("Mul", n + "/cube_kappa", n + ".cube_kappa", n + ".cube", kappa);
              g.node("Add", n + "/inner_sum", n + ".inner_sum", current, n + ".cube_kappa");
              g.node("Mul", n + "/inner", n + ".inner", n + ".inner_sum", beta);
              g.node("Tanh", n + "/tanh", n + ".tanh", n + ".inner");
              yield n + ".tanh";
            }
          };
      g.node("Add", n + "/add_one", curve + "_plus_one", curve, n + ".one");
      g.node("Mul", n + "/half_x", n + ".half_x", current, n + ".half");
      String out = n + ".output";
      g.node("Mul", n, out, n + ".half_x", curve + "_plus_one");
      return out;
    }

    /** The 0.5 and 1 both GELU forms end with. */
    private void geluConstants(String n) {
      g.scalar(n + "/half", n + ".half", 0.5f);
      g.scalar(n + "/one", n + ".one", 1f);
    }

    /** x * Sigmoid(x), as the backends compute it. */
    @Override
    public String silu(Layer.Silu l) {
      String n = l.name();
      g.node("Sigmoid", n + "/sigmoid", n + ".sigmoid", current);
      String out = n + ".output";
      g.node("Mul", n, out, current, n + ".sigmoid");
      return out;
    }

    /**
     * Reshape to {@code [0, ...concrete sample shape]}: 0 copies the batch dimension (Reshape's
     * default allowzero=0), and the sample dimensions are the ones shape inference resolved, so
     * the file says exactly which shape the IR meant. ONNX Reshape is row-major, as the IR is.
     */
    @Override
    public String reshape(Layer.Reshape r) {
      String n = r.name();
      long[] sample = shape.output().dimsLong();
      long[] target = new long[sample.length + 1];
      System.arraycopy(sample, 0, target, 1, sample.length);
      TensorProto.Builder shape =
          TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64.getNumber()).addDims(target.length);
      for (long d : target) {
        shape.addInt64Data(d);
      }
      String shapeName = n + ".shape";
      g.node("Constant", n + "/shape", shapeName).addAttribute(tensorAttribute("value", shape.build()));
      String out = n + ".output";
      g.node("Reshape", n, out, current, shapeName);
      return out;
    }

    /**
     * ONNX Conv is NCHW with an OIHW weight, the IR's own layouts: the canonical tensors go in
     * as they are. Pads are written per side ([top, left, bottom, right]) from the IR's resolved
     * amounts rather than auto_pad, so "same" means PyTorch's split (extra on the bottom/right)
     * whatever a runtime's SAME_UPPER would do.
     */
    @Override
    public String conv2d(Layer.Conv2d c) {
      String weight = g.initializer(c.name() + ".weight");
      String out = c.name() + ".output";
      NodeProto.Builder conv = g.node("Conv", c.name(), out, current, weight);
      if (c.bias()) {
        conv.addInput(g.initializer(c.name() + ".bias"));
      }
      Layer.Padding p = c.padding();
      int kh = c.kernel().h();
      int kw = c.kernel().w();
      int dh = c.dilation().h();
      int dw = c.dilation().w();
      conv.addAttribute(intsAttribute("kernel_shape", kh, kw))
          .addAttribute(intsAttribute("strides", c.stride().h(), c.stride().w()))
          .addAttribute(intsAttribute("pads", p.top(kh, dh), p.left(kw, dw), p.bottom(kh, dh), p.right(kw, dw)))
          .addAttribute(intsAttribute("dilations", dh, dw))
          .addAttribute(intAttribute("group", c.groups()));
      return out;
    }

    /** ONNX MaxPool pads with −∞ implicitly, as PyTorch does; floor mode (ceil_mode 0). */
    @Override
    public String maxPool2d(Layer.MaxPool2d p) {
      String out = p.name() + ".output";
      poolAttributes(g.node("MaxPool", p.name(), out, current), p.kernel(), p.stride(), p.padding());
      return out;
    }

    /**
     * Without padding, AveragePool. With padding, PyTorch's default divisor counts the padded
     * zeros (count_include_pad), which is exactly a depthwise Conv (group = channels) with a
     * constant kernel of 1 / (kh * kw) and zero pads. That form is used because ONNX Runtime
     * 1.21's AveragePool-19 (opset 19 onward) gets padded windows wrong when the height and width
     * pads differ (its count_include_pad path reads the wrong pad index, microsoft/onnxruntime
     * #24681, fixed by #27375 after 1.21), and an explicit Pad in front of it was measured wrong
     * too; Conv is exact at every opset. The kernel is a Constant node, so the file's
     * initialisers stay exactly the spec's parameters.
     */
    @Override
    public String avgPool2d(Layer.AvgPool2d p) {
      String out = p.name() + ".output";
      Layer.Hw pad = p.padding();
      if (pad.h() == 0 && pad.w() == 0) {
        poolAttributes(g.node("AveragePool", p.name(), out, current), p.kernel(), p.stride(), pad);
        return out;
      }
      int channels = in.dim(0);
      int taps = p.kernel().h() * p.kernel().w();
      TensorProto.Builder kernel =
          TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber())
              .addDims(channels).addDims(1).addDims(p.kernel().h()).addDims(p.kernel().w());
      for (int i = 0; i < channels * taps; i++) {
        kernel.addFloatData(1f / taps);
      }
      String k = p.name() + ".kernel";
      g.node("Constant", p.name() + "/kernel", k).addAttribute(tensorAttribute("value", kernel.build()));
      poolAttributes(g.node("Conv", p.name(), out, current, k), p.kernel(), p.stride(), pad)
          .addAttribute(intsAttribute("dilations", 1, 1))
          .addAttribute(intAttribute("group", channels));
      return out;
    }

    /** GlobalAveragePool keeps [N, C, 1, 1]; Flatten(axis 1) makes the IR's [N, C]. */
    @Override
    public String globalAvgPool2d(Layer.GlobalAvgPool2d l) {
      String pooled = l.name() + ".pooled";
      g.node("GlobalAveragePool", l.name() + "/pool", pooled, current);
      String out = l.name() + ".output";
      g.node("Flatten", l.name(), out, pooled).addAttribute(intAttribute("axis", 1));
      return out;
    }

    /**
     * Inference-form BatchNormalization (ONNX exports are inference only): scale = {@code weight},
     * B = {@code bias}, input_mean = {@code running_mean}, input_var = {@code running_var}, so y =
     * (x - running_mean) / sqrt(running_var + epsilon) * weight + bias over axis 1, for [N, F] and
     * [N, C, H, W] alike. Only Y is produced: no training outputs, no training_mode. epsilon is a
     * float attribute, so 1e-5 travels as the nearest float (9.9999997e-6), which is what a float
     * runtime adds anyway. ONNX momentum is Keras's convention, the weight of the old statistic,
     * i.e. 1 - the IR's; it only matters to a runtime that trains, and is written for fidelity.
     */
    @Override
    public String batchNorm(Layer.BatchNorm b) {
      String n = b.name();
      String out = n + ".output";
      g.node("BatchNormalization", n, out, current,
              g.initializer(n + ".weight"), g.initializer(n + ".bias"),
              g.initializer(n + ".running_mean"), g.initializer(n + ".running_var"))
          .addAttribute(floatAttribute("epsilon", (float) b.epsilon()))
          .addAttribute(floatAttribute("momentum", (float) (1 - b.momentum())));
      return out;
    }

    /**
     * LayerNormalization over the last {@code axes} axes: ONNX counts the batch axis, so the first
     * normalised axis is {@code -axes}; Scale and B are the canonical {@code weight} and {@code
     * bias} of the normalised shape. The operator exists from opset 17; below it the same formula
     * is spelled out (see {@link #layerNormDecomposed}).
     */
    @Override
    public String layerNorm(Layer.LayerNorm l) {
      String n = l.name();
      String weight = g.initializer(n + ".weight");
      String bias = g.initializer(n + ".bias");
      if (opset < 17) {
        return layerNormDecomposed(l, weight, bias);
      }
      String out = n + ".output";
      g.node("LayerNormalization", n, out, current, weight, bias)
          .addAttribute(intAttribute("axis", -l.axes()))
          .addAttribute(floatAttribute("epsilon", (float) l.epsilon()));
      return out;
    }

    /**
     * Opsets 13..16: y = (x - mean) / sqrt(mean((x - mean)^2) + epsilon) * weight + bias, means
     * over the last {@code axes} axes kept as size 1 so they broadcast back. ReduceMean takes its
     * axes as an attribute here (it became an input only at opset 18, where LayerNormalization is
     * used instead); weight and bias broadcast from the trailing axes.
     */
    private String layerNormDecomposed(Layer.LayerNorm l, String weight, String bias) {
      String n = l.name();
      long[] axes = new long[l.axes()];
      for (int k = 0; k < axes.length; k++) {
        axes[k] = k - axes.length;
      }
      String eps = g.scalar(n + "/epsilon", n + ".epsilon", (float) l.epsilon());
      g.node("ReduceMean", n + "/mean", n + ".mean", current)
          .addAttribute(intsAttribute("axes", axes)).addAttribute(intAttribute("keepdims", 1));
      g.node("Sub", n + "/center", n + ".centered", current, n + ".mean");
      g.node("Mul", n + "/square", n + ".squared", n + ".centered", n + ".centered");
      g.node("ReduceMean", n + "/variance", n + ".variance", n + ".squared")
          .addAttribute(intsAttribute("axes", axes)).addAttribute(intAttribute("keepdims", 1));
      g.node("Add", n + "/add_epsilon", n + ".variance_eps", n + ".variance", eps);
      g.node("Sqrt", n + "/std", n + ".std", n + ".variance_eps");
      g.node("Div", n + "/normalize", n + ".normalized", n + ".centered", n + ".std");
      g.node("Mul", n + "/scale", n + ".scaled", n + ".normalized", weight);
      String out = n + ".output";
      g.node("Add", n, out, n + ".scaled", bias);
      return out;
    }

    /**
     * Element-wise sum of identical shapes: one Add for two inputs, a left-to-right chain of Adds
     * for more (the order the reference sums in); the last Add carries the layer's name.
     */
    @Override
    public String add(Layer.Add a) {
      String n = a.name();
      String acc = inputs.get(0);
      for (int k = 1; k < inputs.size(); k++) {
        boolean last = k == inputs.size() - 1;
        String out = last ? n + ".output" : n + ".partial" + k;
        g.node("Add", last ? n : n + "/add" + k, out, acc, inputs.get(k));
        acc = out;
      }
      return acc;
    }

    /** Concat along the sample axis, shifted by one for ONNX's leading batch axis. */
    @Override
    public String concat(Layer.Concat c) {
      String out = c.name() + ".output";
      g.node("Concat", c.name(), out, inputs.toArray(new String[0]))
          .addAttribute(intAttribute("axis", c.sampleAxis(in.rank()) + 1));
      return out;
    }

    /** Gather of the ids' rows of the weight: {@code [N, T]} int64 to {@code [N, T, dim]}. */
    @Override
    public String embedding(Layer.Embedding e) {
      String out = e.name() + ".output";
      g.node("Gather", e.name(), out, g.initializer(e.name() + ".weight"), current).addAttribute(intAttribute("axis", 0));
      return out;
    }

    /**
     * {@code x + weight[0:T]}: the first T rows sliced off the weight, T read from the
     * activation's shape when the graph runs (Shape, then Slice of its axis 1).
     */
    @Override
    public String positionEmbedding(Layer.PositionEmbedding p) {
      String n = p.name();
      String length = sequenceLength(n);
      g.node("Slice", n + "/rows", n + ".rows", g.initializer(n + ".weight"),
          g.longs(n + "/zero", n + ".zero", 0), length, g.longs(n + "/axis0", n + ".axis0", 0));
      String out = n + ".output";
      g.node("Add", n, out, current, n + ".rows");
      return out;
    }

    /** The length of the current sequences as a 1-D int64 {@code [T]}: Shape, then Slice [1:2]. */
    private String sequenceLength(String n) {
      g.node("Shape", n + "/shape", n + ".shape", current);
      g.node("Slice", n + "/length", n + ".length", n + ".shape", g.longs(n + "/one", n + ".one", 1), g.longs(n + "/two", n + ".two", 2));
      return n + ".length";
    }

    /**
     * Self-attention in the backends' order: MatMul with the transposed in-projection (+ bias),
     * Reshape to {@code [N, T, 3, H, hd]} (0 copies N and T), Transpose to {@code [3, N, H, T,
     * hd]}, Gather of q, k and v, q times 1/sqrt(hd), MatMul with k transposed, Where of the
     * causal mask (a constant lower triangle of the maximum length, sliced to T) against −∞,
     * Softmax over the keys, MatMul with v, heads back to {@code [N, T, D]}, the output
     * projection. Batch and length stay symbolic.
     */
    @Override
    public String multiHeadAttention(Layer.MultiHeadAttention a) {
      String n = a.name();
      int d = in.dim(1);
      String qkv;
      if (a.bias()) {
        // The key third of the bias is multiplied by 0, as the backends do (it cannot change the output).
        String weight = project(n + "/in_proj", n + ".qkv_matmul", current, n + ".in_proj_weight", null);
        g.node("Mul", n + "/bias_mask", n + ".in_proj_bias_masked", g.initializer(n + ".in_proj_bias"),
            g.floats(n + "/bias_mask_value", n + ".bias_mask", Layer.MultiHeadAttention.inProjBiasMask(d)));
        qkv = n + ".qkv";
        g.node("Add", n + "/in_proj_bias", qkv, weight, n + ".in_proj_bias_masked");
      } else {
        qkv = project(n + "/in_proj", n + ".qkv", current, n + ".in_proj_weight", null);
      }
      g.node("Reshape", n + "/split_heads", n + ".qkv_heads", qkv,
          g.longs(n + "/heads_shape", n + ".heads_shape", 0, 0, 3, a.numHeads(), a.headDim(in)));
      g.node("Transpose", n + "/qkv_first", n + ".qkv_t", n + ".qkv_heads").addAttribute(intsAttribute("perm", 2, 0, 3, 1, 4));
      String[] parts = {"q", "k", "v"};
      for (int i = 0; i < 3; i++) {
        g.node("Gather", n + "/" + parts[i], n + "." + parts[i], n + ".qkv_t", g.index(n + "/index_" + parts[i], n + ".index_" + parts[i], i))
            .addAttribute(intAttribute("axis", 0));
      }
      g.node("Mul", n + "/scale_q", n + ".q_scaled", n + ".q", g.scalar(n + "/scale", n + ".scale", a.scale(in)));
      g.node("Transpose", n + "/k_t", n + ".k_t", n + ".k").addAttribute(intsAttribute("perm", 0, 1, 3, 2));
      String scores = n + ".scores";
      g.node("MatMul", n + "/scores", scores, n + ".q_scaled", n + ".k_t");
      if (a.causal()) {
        String length = sequenceLength(n);
        g.node("Concat", n + "/mask_ends", n + ".mask_ends", length, length).addAttribute(intAttribute("axis", 0));
        g.node("Slice", n + "/mask", n + ".mask", g.lowerTriangle(n + "/mask_full", n + ".mask_full", in.dim(0)),
            g.longs(n + "/mask_starts", n + ".mask_starts", 0, 0), n + ".mask_ends");
        g.node("Where", n + "/causal", n + ".masked", n + ".mask", scores,
            g.scalar(n + "/minus_inf", n + ".minus_inf", Float.NEGATIVE_INFINITY));
        scores = n + ".masked";
      }
      g.node("Softmax", n + "/softmax", n + ".weights", scores).addAttribute(intAttribute("axis", -1));
      g.node("MatMul", n + "/attend", n + ".attended", n + ".weights", n + ".v");
      g.node("Transpose", n + "/merge_t", n + ".merged_t", n + ".attended").addAttribute(intsAttribute("perm", 0, 2, 1, 3));
      g.node("Reshape", n + "/merge_heads", n + ".merged", n + ".merged_t", g.longs(n + "/merged_shape", n + ".merged_shape", 0, 0, d));
      return project(n, n + ".output", n + ".merged", n + ".out_proj.weight", a.bias() ? n + ".out_proj.bias" : null);
    }

    /** {@code x W^T (+ b)} on the last axis: MatMul with a Transpose of the canonical weight, then Add. */
    private String project(String node, String out, String x, String weight, String bias) {
      String transposed = weight + "_transposed";
      g.node("Transpose", node + "/transpose_weight", transposed, g.initializer(weight)).addAttribute(intsAttribute("perm", 1, 0));
      if (bias == null) {
        g.node("MatMul", node, out, x, transposed);
        return out;
      }
      g.node("MatMul", node + "/matmul", out + "_matmul", x, transposed);
      g.node("Add", node, out, out + "_matmul", g.initializer(bias));
      return out;
    }

    private static NodeProto.Builder poolAttributes(
        NodeProto.Builder n, Layer.Hw kernel, Layer.Hw stride, Layer.Hw padding) {
      return n.addAttribute(intsAttribute("kernel_shape", kernel.h(), kernel.w()))
          .addAttribute(intsAttribute("strides", stride.h(), stride.w()))
          .addAttribute(intsAttribute("pads", padding.h(), padding.w(), padding.h(), padding.w()));
    }
  }
}
