package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.rosetta.RosettaVersion;
import dev.rosetta.spec.Graph;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.ShapeInference;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lowers the IR plus canonical weights to an ONNX model: the third lowering beside PyTorch and
 * TensorFlow. It is a {@link Layer.Visitor}, so a new layer kind does not compile until it has
 * an ONNX lowering here.
 *
 * <p>Layers are lowered in spec order through {@link Graph#walk}: each reads the tensors of the
 * layers (or the model input) it names, so a stack and a graph (skip connections, branches,
 * joins) lower alike, and a stack exports exactly as before graphs existed.
 *
 * <p>The graph reads {@value #INPUT} of shape {@code [batch, ...spec.input]} (the batch axis is
 * the symbolic dimension {@value #BATCH}) and writes {@value #OUTPUT}. Initialisers carry the
 * canonical parameter names ({@code fc1.weight}, PyTorch layout {@code [out, in]}), so a weight
 * in the file can be traced to the checkpoint it came from.
 */
public final class OnnxLowering implements Layer.Visitor<String> {
  public static final String INPUT = "input";
  public static final String OUTPUT = "output";
  public static final String BATCH = "batch";
  public static final String PRODUCER = "rosetta";

  /** Metadata keys the lowering derives from the spec itself; they override a caller's. */
  public static final String SPEC_HASH = "spec_hash";
  public static final String SPEC_NAME = "spec_name";
  public static final String ROSETTA_VERSION = "rosetta_version";

  private final WeightSet weights;
  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final List<NodeProto.Builder> nodes = new ArrayList<>();
  /** Name of the tensor the current layer reads (its first input, for a join). */
  private String current = INPUT;
  /** Per-sample shape of {@link #current}. */
  private Shape currentShape;
  /** Every tensor the current layer reads, in order; {@link #current} is the first. */
  private List<String> currentInputs = List.of(INPUT);
  /** The target opset: decides how a layer norm is spelled. */
  private final int opset;

  private OnnxLowering(WeightSet weights, Shape input, int opset) {
    this.weights = weights;
    this.currentShape = input;
    this.opset = opset;
  }

  /** {@link #lower(ModelSpec, WeightSet, Map, int)} at the default opset. */
  public static ModelProto lower(ModelSpec spec, WeightSet weights, Map<String, String> provenance) {
    return lower(spec, weights, provenance, OnnxOpset.DEFAULT);
  }

  /**
   * Builds the ONNX model.
   *
   * @param provenance stored in {@code metadata_props} (backend, versions, seed, step, ...), may
   *     be null;
   *     {@value #SPEC_HASH}, {@value #SPEC_NAME} and {@value #ROSETTA_VERSION} are always taken
   *     from the spec and this build
   * @param opset {@link OnnxOpset#MIN}..{@link OnnxOpset#MAX}; fixes the IR version
   * @throws WeightSet.WeightMismatchException when the weights do not fit the spec
   */
  public static ModelProto lower(
      ModelSpec spec, WeightSet weights, Map<String, String> provenance, int opset) {
    long irVersion = OnnxOpset.irVersion(opset);
    weights.requireMatches(spec, "weights");
    OnnxLowering lowering = new OnnxLowering(weights, spec.input(), opset);
    List<LayerShape> shapes = ShapeInference.infer(spec);
    // Each layer's value is the name of the tensor holding its output: a layer reads the tensors
    // of the layers (or the model input) it names. The visitor methods see the first of them as
    // current, with its per-sample shape, and all of them as currentInputs.
    String output =
        Graph.output(
            spec,
            INPUT,
            (i, layer, ins) -> {
              lowering.current = ins.get(0);
              lowering.currentShape = shapes.get(i).input();
              lowering.currentInputs = ins;
              return layer.accept(lowering);
            });
    Shape outputShape = shapes.isEmpty() ? spec.input() : shapes.get(shapes.size() - 1).output();
    GraphProto graph = lowering.finish(spec, output, outputShape);

    Map<String, String> meta = new TreeMap<>(provenance == null ? Map.of() : provenance);
    meta.put(SPEC_HASH, SpecJson.hash(spec));
    meta.put(SPEC_NAME, spec.name());
    meta.put(ROSETTA_VERSION, RosettaVersion.VERSION);
    ModelProto.Builder model =
        ModelProto.newBuilder()
            .setIrVersion(irVersion)
            .setProducerName(PRODUCER)
            .setProducerVersion(RosettaVersion.VERSION)
            .setDocString("Rosetta model '" + spec.name() + "'")
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
            .setGraph(graph);
    meta.forEach(
        (k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return model.build();
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
    String weight = initializer(d.name() + ".weight");
    String bias = d.bias() ? initializer(d.name() + ".bias") : null;
    String out = d.name() + ".output";
    if (currentShape.rank() == 1) {
      NodeProto.Builder gemm = node("Gemm", d.name(), out, current, weight);
      if (bias != null) {
        gemm.addInput(bias);
      }
      gemm.addAttribute(intAttribute("transB", 1));
      return out;
    }
    String transposed = d.name() + ".weight_transposed";
    node("Transpose", d.name() + "/transpose_weight", transposed, weight)
        .addAttribute(intsAttribute("perm", 1, 0));
    if (bias == null) {
      node("MatMul", d.name() + "/matmul", out, current, transposed);
      return out;
    }
    String product = d.name() + ".matmul";
    node("MatMul", d.name() + "/matmul", product, current, transposed);
    node("Add", d.name() + "/add_bias", out, product, bias);
    return out;
  }

  @Override
  public String relu(Layer.Relu l) {
    return unary("Relu", l);
  }

  @Override
  public String sigmoid(Layer.Sigmoid l) {
    return unary("Sigmoid", l);
  }

  @Override
  public String tanh(Layer.Tanh l) {
    return unary("Tanh", l);
  }

  @Override
  public String softmax(Layer.Softmax l) {
    String out = l.name() + ".output";
    node("Softmax", l.name(), out, current).addAttribute(intAttribute("axis", -1));
    return out;
  }

  @Override
  public String flatten(Layer.Flatten l) {
    String out = l.name() + ".output";
    node("Flatten", l.name(), out, current).addAttribute(intAttribute("axis", 1));
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
    node("LeakyRelu", l.name(), out, current)
        .addAttribute(floatAttribute("alpha", (float) l.negativeSlope()));
    return out;
  }

  /** ONNX Elu is x >= 0 ? x : alpha * (exp(x) - 1): equal to PyTorch's at 0 too (both 0). */
  @Override
  public String elu(Layer.Elu l) {
    String out = l.name() + ".output";
    node("Elu", l.name(), out, current).addAttribute(floatAttribute("alpha", (float) l.alpha()));
    return out;
  }

  /**
   * Exact GELU decomposed into x * 0.5 * (1 + Erf(x * 1/sqrt(2))), the order PyTorch's kernel
   * evaluates. The Gelu operator only exists from opset 20, and one decomposition at every
   * opset keeps a single graph shape to test and to compare across opsets; Erf is in every
   * supported opset (9 onward). The scalars are Constant nodes, not initialisers, so the
   * file's initialisers stay exactly the spec's parameters.
   */
  @Override
  public String gelu(Layer.Gelu l) {
    String n = l.name();
    String invSqrt2 = scalar(n + "/inv_sqrt2", n + ".inv_sqrt2", (float) (1 / Math.sqrt(2)));
    String half = scalar(n + "/half", n + ".half", 0.5f);
    String one = scalar(n + "/one", n + ".one", 1f);
    node("Mul", n + "/scale", n + ".scaled", current, invSqrt2);
    node("Erf", n + "/erf", n + ".erf", n + ".scaled");
    node("Add", n + "/add_one", n + ".erf_plus_one", n + ".erf", one);
    node("Mul", n + "/half_x", n + ".half_x", current, half);
    String out = n + ".output";
    node("Mul", n, out, n + ".half_x", n + ".erf_plus_one");
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
    long[] sample = ShapeInference.reshaped(r, currentShape).dimsLong();
    long[] target = new long[sample.length + 1];
    System.arraycopy(sample, 0, target, 1, sample.length);
    TensorProto.Builder shape =
        TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64.getNumber()).addDims(target.length);
    for (long d : target) {
      shape.addInt64Data(d);
    }
    String shapeName = n + ".shape";
    node("Constant", n + "/shape", shapeName).addAttribute(tensorAttribute("value", shape.build()));
    String out = n + ".output";
    node("Reshape", n, out, current, shapeName);
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
    String weight = initializer(c.name() + ".weight");
    String out = c.name() + ".output";
    NodeProto.Builder conv = node("Conv", c.name(), out, current, weight);
    if (c.bias()) {
      conv.addInput(initializer(c.name() + ".bias"));
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
    poolAttributes(node("MaxPool", p.name(), out, current), p.kernel(), p.stride(), p.padding());
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
      poolAttributes(node("AveragePool", p.name(), out, current), p.kernel(), p.stride(), pad);
      return out;
    }
    int channels = currentShape.dim(0);
    int taps = p.kernel().h() * p.kernel().w();
    TensorProto.Builder kernel =
        TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber())
            .addDims(channels).addDims(1).addDims(p.kernel().h()).addDims(p.kernel().w());
    for (int i = 0; i < channels * taps; i++) {
      kernel.addFloatData(1f / taps);
    }
    String k = p.name() + ".kernel";
    node("Constant", p.name() + "/kernel", k).addAttribute(tensorAttribute("value", kernel.build()));
    poolAttributes(node("Conv", p.name(), out, current, k), p.kernel(), p.stride(), pad)
        .addAttribute(intsAttribute("dilations", 1, 1))
        .addAttribute(intAttribute("group", channels));
    return out;
  }

  /** GlobalAveragePool keeps [N, C, 1, 1]; Flatten(axis 1) makes the IR's [N, C]. */
  @Override
  public String globalAvgPool2d(Layer.GlobalAvgPool2d l) {
    String pooled = l.name() + ".pooled";
    node("GlobalAveragePool", l.name() + "/pool", pooled, current);
    String out = l.name() + ".output";
    node("Flatten", l.name(), out, pooled).addAttribute(intAttribute("axis", 1));
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
    node("BatchNormalization", n, out, current,
            initializer(n + ".weight"), initializer(n + ".bias"),
            initializer(n + ".running_mean"), initializer(n + ".running_var"))
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
    String weight = initializer(n + ".weight");
    String bias = initializer(n + ".bias");
    if (opset < 17) {
      return layerNormDecomposed(l, weight, bias);
    }
    String out = n + ".output";
    node("LayerNormalization", n, out, current, weight, bias)
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
    String eps = scalar(n + "/epsilon", n + ".epsilon", (float) l.epsilon());
    node("ReduceMean", n + "/mean", n + ".mean", current)
        .addAttribute(intsAttribute("axes", axes)).addAttribute(intAttribute("keepdims", 1));
    node("Sub", n + "/center", n + ".centered", current, n + ".mean");
    node("Mul", n + "/square", n + ".squared", n + ".centered", n + ".centered");
    node("ReduceMean", n + "/variance", n + ".variance", n + ".squared")
        .addAttribute(intsAttribute("axes", axes)).addAttribute(intAttribute("keepdims", 1));
    node("Add", n + "/add_epsilon", n + ".variance_eps", n + ".variance", eps);
    node("Sqrt", n + "/std", n + ".std", n + ".variance_eps");
    node("Div", n + "/normalize", n + ".normalized", n + ".centered", n + ".std");
    node("Mul", n + "/scale", n + ".scaled", n + ".normalized", weight);
    String out = n + ".output";
    node("Add", n, out, n + ".scaled", bias);
    return out;
  }

  /**
   * Element-wise sum of identical shapes: one Add for two inputs, a left-to-right chain of Adds
   * for more (the order the reference sums in); the last Add carries the layer's name.
   */
  @Override
  public String add(Layer.Add a) {
    String n = a.name();
    String acc = currentInputs.get(0);
    for (int k = 1; k < currentInputs.size(); k++) {
      boolean last = k == currentInputs.size() - 1;
      String out = last ? n + ".output" : n + ".partial" + k;
      node("Add", last ? n : n + "/add" + k, out, acc, currentInputs.get(k));
      acc = out;
    }
    return acc;
  }

  /** Concat along the sample axis, shifted by one for ONNX's leading batch axis. */
  @Override
  public String concat(Layer.Concat c) {
    String out = c.name() + ".output";
    node("Concat", c.name(), out, currentInputs.toArray(new String[0]))
        .addAttribute(intAttribute("axis", c.sampleAxis(currentShape.rank()) + 1));
    return out;
  }

  private static NodeProto.Builder poolAttributes(
      NodeProto.Builder n, Layer.Hw kernel, Layer.Hw stride, Layer.Hw padding) {
    return n.addAttribute(intsAttribute("kernel_shape", kernel.h(), kernel.w()))
        .addAttribute(intsAttribute("strides", stride.h(), stride.w()))
        .addAttribute(intsAttribute("pads", padding.h(), padding.w(), padding.h(), padding.w()));
  }

  private String scalar(String node, String output, float value) {
    TensorProto t =
        TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber()).addFloatData(value).build();
    node("Constant", node, output).addAttribute(tensorAttribute("value", t));
    return output;
  }

  private String unary(String op, Layer l) {
    String out = l.name() + ".output";
    node(op, l.name(), out, current);
    return out;
  }

  private NodeProto.Builder node(String op, String name, String output, String... inputs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output);
    for (String in : inputs) {
      n.addInput(in);
    }
    nodes.add(n);
    return n;
  }

  private String initializer(String name) {
    Tensor t = weights.get(name);
    ByteBuffer raw = ByteBuffer.allocate(t.data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(t.data());
    TensorProto.Builder tp =
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.FLOAT.getNumber())
            .setRawData(ByteString.copyFrom(raw.array()));
    for (long d : t.shape().dimsLong()) {
      tp.addDims(d);
    }
    graph.addInitializer(tp);
    return name;
  }

  /**
   * Makes {@code result} (the last layer's tensor) the graph output {@value #OUTPUT}. Normally
   * the last node wrote it and nothing reads it, so that node's output is renamed in place; this
   * is always the case for a stack. When the last layer was an inference-time identity (dropout)
   * its tensor may be the model input, another node's output, or one that other layers read
   * (a graph's dropout of an earlier branch): then an Identity node copies it to the output.
   */
  private GraphProto finish(ModelSpec spec, String result, Shape resultShape) {
    NodeProto.Builder last = nodes.isEmpty() ? null : nodes.get(nodes.size() - 1);
    boolean lastWroteIt = last != null && last.getOutput(last.getOutputCount() - 1).equals(result);
    boolean read = nodes.stream().anyMatch(n -> n.getInputList().contains(result));
    if (lastWroteIt && !read) {
      last.setOutput(last.getOutputCount() - 1, OUTPUT);
    } else {
      node("Identity", "output_identity", OUTPUT, result);
    }
    for (NodeProto.Builder n : nodes) {
      graph.addNode(n);
    }
    return graph
        .setName(spec.name())
        .addInput(valueInfo(INPUT, spec.input()))
        .addOutput(valueInfo(OUTPUT, resultShape))
        .build();
  }

  private static ValueInfoProto valueInfo(String name, Shape perSample) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
    for (long d : perSample.dimsLong()) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    TypeProto type =
        TypeProto.newBuilder()
            .setTensorType(
                TypeProto.Tensor.newBuilder()
                    .setElemType(TensorProto.DataType.FLOAT.getNumber())
                    .setShape(shape))
            .build();
    return ValueInfoProto.newBuilder().setName(name).setType(type).build();
  }

  private static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  private static AttributeProto floatAttribute(String name, float value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.FLOAT)
        .setF(value)
        .build();
  }

  private static AttributeProto tensorAttribute(String name, TensorProto value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.TENSOR)
        .setT(value)
        .build();
  }

  private static AttributeProto intsAttribute(String name, long... values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }
}
