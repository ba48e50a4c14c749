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
  /** Name of the tensor holding the current activation. */
  private String current = INPUT;
  /** Per-sample shape of the current activation. */
  private Shape currentShape;

  private OnnxLowering(WeightSet weights, Shape input) {
    this.weights = weights;
    this.currentShape = input;
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
    OnnxLowering lowering = new OnnxLowering(weights, spec.input());
    List<LayerShape> shapes = ShapeInference.infer(spec);
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      lowering.current = layer.accept(lowering);
      lowering.currentShape = shapes.get(i).output();
    }
    GraphProto graph = lowering.finish(spec);

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

  private GraphProto finish(ModelSpec spec) {
    if (current.equals(INPUT)) {
      // Every layer was an inference-time identity: the graph still needs a node writing OUTPUT.
      node("Identity", "output_identity", OUTPUT, INPUT);
    } else {
      // The last node wrote the current activation and nothing reads it yet: rename in place.
      NodeProto.Builder last = nodes.get(nodes.size() - 1);
      last.setOutput(last.getOutputCount() - 1, OUTPUT);
    }
    for (NodeProto.Builder n : nodes) {
      graph.addNode(n);
    }
    return graph
        .setName(spec.name())
        .addInput(valueInfo(INPUT, spec.input()))
        .addOutput(valueInfo(OUTPUT, currentShape))
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
