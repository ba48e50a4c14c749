package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A stable text form of an exported graph, for golden files: the structure (opset, inputs,
 * outputs, initialisers by name and shape, nodes with their attributes) and nothing that changes
 * from run to run or release to release (weight values, metadata values, producer version).
 */
public final class OnnxText {
  private OnnxText() {}

  public static String dump(ModelProto m) {
    StringBuilder s = new StringBuilder();
    s.append("ir_version ").append(m.getIrVersion()).append('\n');
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      s.append("opset ").append(o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain()).append(' ').append(o.getVersion()).append('\n');
    }
    s.append("producer ").append(m.getProducerName()).append('\n');
    // Keys only: values (hash, versions, step) legitimately change; which keys exist should not.
    TreeSet<String> keys = new TreeSet<>();
    for (StringStringEntryProto e : m.getMetadataPropsList()) {
      keys.add(e.getKey());
    }
    s.append("metadata_keys ").append(String.join(", ", keys)).append('\n');
    GraphProto g = m.getGraph();
    s.append("graph ").append(g.getName()).append('\n');
    for (ValueInfoProto v : g.getInputList()) {
      s.append("  input ").append(OnnxInspector.value(v)).append('\n');
    }
    for (ValueInfoProto v : g.getOutputList()) {
      s.append("  output ").append(OnnxInspector.value(v)).append('\n');
    }
    for (TensorProto t : g.getInitializerList()) {
      s.append("  initializer ").append(t.getName()).append(": ")
          .append(OnnxInspector.elementTypeName(t.getDataType()))
          .append(t.getDimsList().stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]")))
          .append('\n');
    }
    for (NodeProto n : g.getNodeList()) {
      s.append("  node ").append(n.getName()).append(": ");
      if (!n.getDomain().isEmpty()) {
        s.append(n.getDomain()).append('.');
      }
      s.append(n.getOpType()).append('(').append(String.join(", ", n.getInputList())).append(") -> ")
          .append(String.join(", ", n.getOutputList()));
      if (n.getAttributeCount() > 0) {
        s.append(n.getAttributeList().stream().map(OnnxText::attribute).collect(Collectors.joining(", ", " {", "}")));
      }
      s.append('\n');
    }
    return s.toString();
  }

  private static String attribute(AttributeProto a) {
    return a.getName() + "=" + switch (a.getType()) {
      case INT -> Long.toString(a.getI());
      case FLOAT -> Float.toString(a.getF());
      case STRING -> '"' + a.getS().toString(StandardCharsets.UTF_8) + '"';
      case INTS -> list(a.getIntsList());
      case FLOATS -> list(a.getFloatsList());
      case STRINGS -> a.getStringsList().stream().map(b -> '"' + b.toString(StandardCharsets.UTF_8) + '"').collect(Collectors.joining(", ", "[", "]"));
      case TENSOR -> "tensor " + OnnxInspector.elementTypeName(a.getT().getDataType()) + a.getT().getDimsList();
      default -> a.getType().name().toLowerCase();
    };
  }

  private static String list(List<?> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
  }
}
