package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small ONNX graph written by hand, as foreign exporters write them, for import tests. */
final class TestGraph {
  private final int opset;
  private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");
  private String producer = "test";

  TestGraph(int opset) {
    this.opset = opset;
  }

  TestGraph producer(String name) {
    this.producer = name;
    return this;
  }

  /** A float input; a dim of -1 is the symbolic batch. */
  TestGraph input(String name, long... dims) {
    graph.addInput(value(name, dims));
    return this;
  }

  TestGraph output(String name, long... dims) {
    graph.addOutput(value(name, dims));
    return this;
  }

  TestGraph floats(String name, long[] dims, float... values) {
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
        .addAllDims(java.util.Arrays.stream(dims).boxed().toList()).addAllFloatData(boxed(values)));
    return this;
  }

  TestGraph ints(String name, long... values) {
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
        .addDims(values.length).addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()));
    return this;
  }

  TestGraph initializer(TensorProto t) {
    graph.addInitializer(t);
    return this;
  }

  TestGraph node(String op, String name, List<String> inputs, String output, AttributeProto... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return this;
  }

  ModelProto model() {
    return ModelProto.newBuilder().setIrVersion(8).setProducerName(producer)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph).build();
  }

  Path save(Path file) throws IOException {
    Files.write(file, model().toByteArray());
    return file;
  }

  static AttributeProto longs(String name, long... v) {
    return OnnxGraphBuilder.intsAttribute(name, v);
  }

  static AttributeProto i(String name, long v) {
    return OnnxGraphBuilder.intAttribute(name, v);
  }

  static AttributeProto f(String name, float v) {
    return OnnxGraphBuilder.floatAttribute(name, v);
  }

  static AttributeProto s(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
  }

  private static List<Float> boxed(float[] v) {
    java.util.ArrayList<Float> out = new java.util.ArrayList<>();
    for (float x : v) {
      out.add(x);
    }
    return out;
  }

  private static ValueInfoProto value(String name, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
  }

  /** 0, 1, 2, ... scaled: distinct values, so a transposed or permuted weight shows. */
  static float[] ramp(int n, float scale) {
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      v[k] = (k - n / 2f) * scale;
    }
    return v;
  }
}
