package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.rosetta.spec.Shape;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one ONNX graph: nodes in the order they are added, initialisers from canonical weights,
 * Constant scalars and the attribute forms ONNX wants. It knows nothing of layers; {@link
 * OnnxLowering} says which nodes a layer becomes.
 */
final class OnnxGraphBuilder {
  private final WeightSet weights;
  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final List<NodeProto.Builder> nodes = new ArrayList<>();

  OnnxGraphBuilder(WeightSet weights) {
    this.weights = weights;
  }

  /** Adds a node writing {@code output} from {@code inputs}; returns it for its attributes. */
  NodeProto.Builder node(String op, String name, String output, String... inputs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output);
    for (String in : inputs) {
      n.addInput(in);
    }
    nodes.add(n);
    return n;
  }

  /** A one-input node named after {@code name} writing {@code <name>.output}. */
  String unary(String op, String name, String input) {
    String out = name + ".output";
    node(op, name, out, input);
    return out;
  }

  /** A float32 scalar as a Constant node (not an initialiser: those are exactly the parameters). */
  String scalar(String node, String output, float value) {
    return constant(node, output, TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber()).addFloatData(value));
  }

  /** A 1-D float tensor as a Constant node (preprocessing statistics: fills, centres, scales). */
  String floats(String node, String output, float... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT.getNumber()).addDims(values.length);
    for (float v : values) {
      t.addFloatData(v);
    }
    return constant(node, output, t);
  }

  /** An int64 scalar as a Constant node: an index. */
  String index(String node, String output, long value) {
    return constant(node, output, TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64.getNumber()).addInt64Data(value));
  }

  /** A {@code [n, n]} bool Constant, true on and below the diagonal: a causal mask. */
  String lowerTriangle(String node, String output, int n) {
    byte[] raw = new byte[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        raw[i * n + j] = 1;
      }
    }
    return constant(node, output, TensorProto.newBuilder().setDataType(TensorProto.DataType.BOOL.getNumber())
        .addDims(n).addDims(n).setRawData(ByteString.copyFrom(raw)));
  }

  private String constant(String node, String output, TensorProto.Builder value) {
    node("Constant", node, output).addAttribute(tensorAttribute("value", value.build()));
    return output;
  }

  /**
   * Declares an intermediate tensor's type and shape in the graph's {@code value_info}, for an op
   * whose output type older shape inference cannot work out (onnx 1.12 infers none for
   * {@code ai.onnx.ml.OneHotEncoder}).
   */
  void declare(ValueInfoProto info) {
    graph.addValueInfo(info);
  }

  /** A 1-D int64 tensor as a Constant node: shapes, axes, indices, slice bounds. */
  String longs(String node, String output, long... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64.getNumber()).addDims(values.length);
    for (long v : values) {
      t.addInt64Data(v);
    }
    node("Constant", node, output).addAttribute(tensorAttribute("value", t.build()));
    return output;
  }

  /** The canonical tensor {@code name} as an initialiser of the same name. */
  String initializer(String name) {
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
   * Makes {@code result} (the last layer's tensor) the graph output {@code output}. Normally
   * the last node wrote it and nothing reads it, so that node's output is renamed in place; this
   * is always the case for a stack. When the last layer was an inference-time identity (dropout)
   * its tensor may be the model input, another node's output, or one that other layers read
   * (a graph's dropout of an earlier branch): then an Identity node copies it to the output.
   */
  GraphProto finish(String name, Shape input, String result, Shape resultShape) {
    return finish(name, List.of(valueInfo(OnnxLowering.INPUT, input)), result, valueInfo(OnnxLowering.OUTPUT, resultShape));
  }

  /** {@link #finish(String, Shape, String, Shape)} for a graph with these inputs and this output. */
  GraphProto finish(String name, List<ValueInfoProto> inputs, String result, ValueInfoProto output) {
    NodeProto.Builder last = nodes.isEmpty() ? null : nodes.get(nodes.size() - 1);
    boolean lastWroteIt = last != null && last.getOutput(last.getOutputCount() - 1).equals(result);
    boolean read = nodes.stream().anyMatch(n -> n.getInputList().contains(result));
    if (lastWroteIt && !read) {
      last.setOutput(last.getOutputCount() - 1, OnnxLowering.OUTPUT);
    } else {
      node("Identity", "output_identity", OnnxLowering.OUTPUT, result);
    }
    for (NodeProto.Builder n : nodes) {
      graph.addNode(n);
    }
    return graph
        .setName(name)
        .addAllInput(inputs)
        .addOutput(output)
        .build();
  }

  /** A float tensor {@code [batch, ...perSample]} with a symbolic batch axis. */
  static ValueInfoProto valueInfo(String name, Shape perSample) {
    return valueInfo(name, perSample, TensorProto.DataType.FLOAT, false);
  }

  /** A tensor of {@code type}, {@code [batch, ...perSample]} with a symbolic batch axis. */
  static ValueInfoProto valueInfo(String name, Shape perSample, TensorProto.DataType elementType) {
    return valueInfo(name, perSample, elementType, false);
  }

  /**
   * A tensor {@code [batch, ...perSample]} with a symbolic batch axis and, when {@code
   * sequence}, a symbolic first sample axis ({@value OnnxLowering#SEQUENCE}): the length of the
   * token sequences given.
   */
  static ValueInfoProto valueInfo(String name, Shape perSample, TensorProto.DataType type, boolean sequence) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(OnnxLowering.BATCH));
    long[] dims = perSample.dimsLong();
    for (int i = 0; i < dims.length; i++) {
      shape.addDim(sequence && i == 0
          ? TensorShapeProto.Dimension.newBuilder().setDimParam(OnnxLowering.SEQUENCE)
          : TensorShapeProto.Dimension.newBuilder().setDimValue(dims[i]));
    }
    TypeProto t =
        TypeProto.newBuilder()
            .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))
            .build();
    return ValueInfoProto.newBuilder().setName(name).setType(t).build();
  }

  static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  static AttributeProto floatAttribute(String name, float value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.FLOAT)
        .setF(value)
        .build();
  }

  static AttributeProto tensorAttribute(String name, TensorProto value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.TENSOR)
        .setT(value)
        .build();
  }

  static AttributeProto stringsAttribute(String name, List<String> values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
    for (String v : values) {
      a.addStrings(ByteString.copyFromUtf8(v));
    }
    return a.build();
  }

  static AttributeProto intsAttribute(String name, long... values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }
}
