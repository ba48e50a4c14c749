package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Layer names for an import, taken from what the exporter kept of the source model's names:
 * the parameter path of a layer's weight ({@code fc1.weight} -> {@code fc1}; PyTorch, the dynamo
 * exporter and Rosetta itself name initialisers so), else the module path in a node name
 * ({@code /b/conv2/Conv} -> {@code b_conv2}; {@code keras_cnn_1/conv1_1/BiasAdd} -> {@code
 * conv1}). Null when neither says anything; the builder then numbers the layer by type.
 */
final class LayerNames {
  /** The last segment of a node name that names an operator, not a module: {@code Gemm}, {@code Relu_1}, {@code BiasAdd__11}. */
  private static final Pattern OP_SEGMENT = Pattern.compile("[A-Z][A-Za-z0-9]*(_+\\d+)?(:\\d+)?");
  private static final Pattern PARAMETER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*\\.[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern KERAS_SUFFIX = Pattern.compile("_\\d+$");

  private LayerNames() {}

  static String preferred(List<NodeProto> nodes, ConstTensor weight, String producer) {
    if (weight != null && weight.origin() != null && PARAMETER.matcher(weight.origin()).matches()) {
      String path = weight.origin().substring(0, weight.origin().lastIndexOf('.'));
      String s = sanitize(path);
      if (!s.isEmpty()) {
        return s;
      }
    }
    boolean tf2onnx = producer.startsWith("tf2onnx");
    for (int i = nodes.size() - 1; i >= 0; i--) {
      String s = fromNode(nodes.get(i).getName(), tf2onnx);
      if (!s.isEmpty()) {
        return s;
      }
    }
    return null;
  }

  /**
   * The module path in a node name: segments split at '/', the operator segment at the end
   * dropped; tf2onnx names start with the model's scope and number every scope ({@code _1}),
   * both dropped; the dynamo exporter prefixes {@code node_}.
   */
  static String fromNode(String name, boolean tf2onnx) {
    String n = name.startsWith("node_") ? name.substring("node_".length()) : name;
    List<String> segments = new ArrayList<>();
    for (String s : n.split("/")) {
      if (!s.isEmpty()) {
        segments.add(s);
      }
    }
    if (!segments.isEmpty() && OP_SEGMENT.matcher(segments.get(segments.size() - 1)).matches()) {
      segments.remove(segments.size() - 1);
    }
    if (tf2onnx) {
      if (segments.size() > 1) {
        segments.remove(0);
      }
      segments.replaceAll(s -> KERAS_SUFFIX.matcher(s).replaceAll(""));
      segments.removeIf(s -> OP_SEGMENT.matcher(s).matches());
    }
    return sanitize(String.join("_", segments));
  }

  /** A valid layer name ({@code [A-Za-z_][A-Za-z0-9_]*}, not {@code input}), or "". */
  static String sanitize(String s) {
    String out = s.replaceAll("[^A-Za-z0-9_]", "_").replaceAll("_{2,}", "_").replaceAll("^_+|_+$", "");
    if (out.isEmpty()) {
      return out;
    }
    if (Character.isDigit(out.charAt(0))) {
      out = "l" + out;
    }
    return out.equals("input") ? "input_layer" : out;
  }
}
