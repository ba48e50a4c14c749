package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX graph as the importer walks it: nodes in topological order, who produces and who
 * reads each tensor, the value known for each tensor so far ({@link ImportValue}), which nodes a
 * pattern has already taken, and the layers being built ({@link ImportBuilder}). Constants and
 * shape computations are evaluated on demand ({@link ConstantFolding}), so a pattern can look at
 * a Constant node that comes after its root in the file.
 */
final class ImportGraph {
  final Path file;
  final ModelProto model;
  final int opset;
  final ImportBuilder builder;
  /** The batch size the file's input fixes (torch.onnx without dynamic axes), 0 when symbolic. */
  int exportBatch;
  private final List<NodeProto> nodes;
  private final Map<String, NodeProto> producers = new HashMap<>();
  private final Map<String, List<NodeProto>> consumers = new HashMap<>();
  private final Set<String> graphOutputs = new HashSet<>();
  private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
  private final Map<String, ImportValue> values = new HashMap<>();
  private final Set<NodeProto> consumed = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<NodeProto, Integer> index = new IdentityHashMap<>();

  ImportGraph(Path file, ModelProto model, int opset) {
    this.file = file;
    this.model = model;
    this.opset = opset;
    GraphProto g = model.getGraph();
    for (TensorProto t : g.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    for (ValueInfoProto v : g.getOutputList()) {
      graphOutputs.add(v.getName());
    }
    this.nodes = topologicalOrder(g.getNodeList());
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      index.put(n, i);
      for (String out : n.getOutputList()) {
        if (!out.isEmpty()) {
          producers.put(out, n);
        }
      }
      for (String in : new java.util.LinkedHashSet<>(n.getInputList())) {
        if (!in.isEmpty()) {
          consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
    this.builder = new ImportBuilder(this);
  }

  /**
   * ONNX requires nodes in topological order, but writers have been known to break it; Kahn's
   * algorithm keeps the file's order wherever it is already valid.
   */
  private static List<NodeProto> topologicalOrder(List<NodeProto> in) {
    Map<String, Integer> producerOf = new HashMap<>();
    for (int i = 0; i < in.size(); i++) {
      for (String o : in.get(i).getOutputList()) {
        producerOf.put(o, i);
      }
    }
    int[] pending = new int[in.size()];
    List<List<Integer>> readers = new ArrayList<>();
    for (int i = 0; i < in.size(); i++) {
      readers.add(new ArrayList<>());
    }
    for (int i = 0; i < in.size(); i++) {
      for (String x : in.get(i).getInputList()) {
        Integer p = producerOf.get(x);
        if (p != null && p != i) {
          pending[i]++;
          readers.get(p).add(i);
        }
      }
    }
    java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
    for (int i = 0; i < in.size(); i++) {
      if (pending[i] == 0) {
        ready.add(i);
      }
    }
    List<NodeProto> out = new ArrayList<>(in.size());
    while (!ready.isEmpty()) {
      int i = ready.poll();
      out.add(in.get(i));
      for (int r : readers.get(i)) {
        if (--pending[r] == 0) {
          ready.add(r);
        }
      }
    }
    if (out.size() != in.size()) {
      // A cycle: leave the rest in file order; the walk reports the first node it cannot read.
      Set<NodeProto> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      seen.addAll(out);
      for (NodeProto n : in) {
        if (!seen.contains(n)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  List<NodeProto> nodes() {
    return nodes;
  }

  Map<String, TensorProto> initializers() {
    return initializers;
  }

  NodeProto producer(String tensor) {
    return producers.get(tensor);
  }

  List<NodeProto> consumers(String tensor) {
    return consumers.getOrDefault(tensor, List.of());
  }

  boolean isGraphOutput(String tensor) {
    return graphOutputs.contains(tensor);
  }

  /**
   * The one node reading {@code tensor}, if it has op type {@code op}, nothing else reads the
   * tensor and it is not a graph output: the condition for a pattern to swallow the tensor.
   */
  NodeProto only(String tensor, String op) {
    List<NodeProto> c = consumers(tensor);
    if (c.size() != 1 || isGraphOutput(tensor) || consumed(c.get(0))) {
      return null;
    }
    NodeProto n = c.get(0);
    return n.getOpType().equals(op) && isStandard(n) ? n : null;
  }

  static boolean isStandard(NodeProto n) {
    return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
  }

  boolean consumed(NodeProto n) {
    return consumed.contains(n);
  }

  void consume(NodeProto... ns) {
    Collections.addAll(consumed, ns);
  }

  void consume(List<NodeProto> ns) {
    consumed.addAll(ns);
  }

  void set(String tensor, ImportValue v) {
    values.put(tensor, v);
  }

  /**
   * A pattern's last step: the nodes are taken and the last one's output (the tensor later
   * nodes read) has value {@code v}. Returns true, what {@link NodePattern#apply} returns.
   */
  boolean take(List<NodeProto> taken, ImportValue v) {
    consume(taken);
    set(taken.get(taken.size() - 1).getOutput(0), v);
    return true;
  }

  /** Whether any node reads output {@code i} of {@code n} (an optional output left unused is fine). */
  boolean readsOutput(NodeProto n, int i) {
    return i < n.getOutputCount() && !n.getOutput(i).isEmpty() && !consumers(n.getOutput(i)).isEmpty();
  }

  /**
   * The value of {@code tensor}: known already, an initialiser, or computed now when its producer
   * is a constant or shape computation whose inputs are known. Null when it is the output of a
   * node the walk has not reached (a layer not built yet) or an optional input left empty.
   */
  ImportValue value(String tensor) {
    if (tensor.isEmpty()) {
      return null;
    }
    ImportValue v = values.get(tensor);
    if (v != null) {
      return v;
    }
    TensorProto init = initializers.get(tensor);
    if (init != null) {
      v = new ImportValue.Constant(OnnxTensors.read(init, file, true), List.of());
      values.put(tensor, v);
      return v;
    }
    NodeProto p = producers.get(tensor);
    if (p == null || consumed(p) || !ConstantFolding.handles(p)) {
      return null;
    }
    if (!ConstantFolding.evaluate(this, p)) {
      return null;
    }
    return values.get(tensor);
  }

  ImportValue.Activation activation(String tensor) {
    return value(tensor) instanceof ImportValue.Activation a ? a : null;
  }

  ConstTensor constant(String tensor) {
    return value(tensor) instanceof ImportValue.Constant c ? c.tensor() : null;
  }

  /** The nodes that computed a constant or shape value (for the import table), else none. */
  List<String> sourceNodes(String tensor) {
    ImportValue v = value(tensor);
    if (v instanceof ImportValue.Constant c) {
      return c.nodes();
    }
    if (v instanceof ImportValue.ShapeVector s) {
      return s.nodes();
    }
    return List.of();
  }

  /** The input at {@code i}, or "" when the node has fewer (an optional input left out). */
  static String input(NodeProto n, int i) {
    return i < n.getInputCount() ? n.getInput(i) : "";
  }

  static AttributeProto attribute(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  static long intAttr(NodeProto n, String name, long dflt) {
    AttributeProto a = attribute(n, name);
    return a == null ? dflt : a.getI();
  }

  static float floatAttr(NodeProto n, String name, float dflt) {
    AttributeProto a = attribute(n, name);
    return a == null ? dflt : a.getF();
  }

  static long[] intsAttr(NodeProto n, String name) {
    AttributeProto a = attribute(n, name);
    return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
  }

  static String stringAttr(NodeProto n, String name, String dflt) {
    AttributeProto a = attribute(n, name);
    return a == null ? dflt : a.getS().toString(StandardCharsets.UTF_8);
  }

  /** {@code 'fc1/Gemm' (Gemm)}; a node without a name is named by its position. */
  String describe(NodeProto n) {
    return "'" + name(n) + "' (" + n.getOpType() + ")";
  }

  /** The node's position in topological order. */
  int position(NodeProto n) {
    return index.getOrDefault(n, -1);
  }

  NodeProto nodeNamed(String name) {
    for (NodeProto n : nodes) {
      if (name(n).equals(name)) {
        return n;
      }
    }
    return null;
  }

  static String elementType(int type) {
    return OnnxInspector.elementTypeName(type);
  }

  String name(NodeProto n) {
    return n.getName().isEmpty() ? "#" + index.getOrDefault(n, -1) + " " + n.getOpType() : n.getName();
  }

  /**
   * A refusal naming the node, its op type and the opset, and why; {@code nearest} (may be null)
   * is the nearest supported alternative.
   */
  OnnxImportException refuse(NodeProto n, String why, String nearest) {
    StringBuilder s = new StringBuilder();
    s.append(file).append(": node '").append(name(n)).append("' (").append(n.getOpType())
        .append(", opset ").append(opset).append(") cannot be imported: ").append(why);
    if (nearest != null) {
      s.append("\n  nearest supported alternative: ").append(nearest);
    }
    return new OnnxImportException(s.toString(), name(n));
  }
}
