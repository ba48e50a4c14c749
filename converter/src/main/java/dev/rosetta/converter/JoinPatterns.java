package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.rosetta.spec.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Nodes that combine activations: {@code Add} and {@code Sum} of equal shapes (a residual
 * connection) become {@code add}, {@code Concat} on a sample axis becomes {@code concat}; the
 * layers name their inputs, so the spec is a graph.
 */
final class JoinPatterns {
  private JoinPatterns() {}

  static boolean add(ImportGraph g, NodeProto n) {
    return sum(g, n);
  }

  static boolean sum(ImportGraph g, NodeProto n) {
    List<ImportValue.Activation> ins = new ArrayList<>();
    boolean constant = false;
    for (String in : n.getInputList()) {
      ImportValue.Activation a = g.activation(in);
      if (a == null) {
        constant = true;
      } else {
        ins.add(a);
      }
    }
    if (ins.isEmpty()) {
      return false;
    }
    if (constant) {
      throw g.refuse(n, "it adds a constant to an activation; a constant is imported only as the bias of the dense or conv layer right before it", null);
    }
    if (ins.size() < 2) {
      throw g.refuse(n, "it sums a single activation", null);
    }
    for (int k = 1; k < ins.size(); k++) {
      if (!ins.get(k).onnxShape().equals(ins.get(0).onnxShape())) {
        throw g.refuse(n, "it adds shapes " + ins.get(0).onnxShape() + " and " + ins.get(k).onnxShape()
            + " by broadcasting; Rosetta's add joins identical shapes", null);
      }
    }
    ImportValue.Activation y = g.builder.emit(List.of(n), null, "add", Layer.Add::new, ins, Map.of());
    return g.take(List.of(n), y);
  }

  static boolean concat(ImportGraph g, NodeProto n) {
    List<ImportValue.Activation> ins = new ArrayList<>();
    for (String in : n.getInputList()) {
      ImportValue.Activation a = g.activation(in);
      if (a == null) {
        if (ins.isEmpty() && n.getInputList().stream().noneMatch(t -> g.activation(t) != null)) {
          return false;
        }
        throw g.refuse(n, "it concatenates an activation with a constant; Rosetta's concat joins layer outputs", null);
      }
      ins.add(a);
    }
    int rank = ins.get(0).onnxShape().rank() + 1;
    long axis = ImportGraph.intAttr(n, "axis", 1);
    long resolved = axis < 0 ? axis + rank : axis;
    if (resolved < 1 || resolved >= rank) {
      throw g.refuse(n, "axis " + axis + " is the batch axis; a concat joins samples' features", null);
    }
    int sampleAxis = (int) resolved - 1;
    ImportValue.Activation y = g.builder.emit(List.of(n), null, "concat", name -> new Layer.Concat(name, sampleAxis), ins, Map.of());
    return g.take(List.of(n), y);
  }
}
