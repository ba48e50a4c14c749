package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.SpecException;
import dev.rosetta.spec.Training;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The layers an import produces, in graph order: each with what it reads, its parameters in
 * canonical layout (by suffix: {@code weight}, {@code bias}, {@code running_mean}), the ONNX
 * nodes it came from, and its output shape (from the layer's own shape inference). {@link
 * #finish} turns them into a checked spec and a weight set.
 */
final class ImportBuilder {
  /**
   * The optimizer an imported spec gets (edit it in spec.json): SGD with momentum at a
   * fine-tuning step size. Not Adam: exported models often hold parameters whose gradient is
   * zero up to rounding (a conv bias right before a batch norm, which subtracts it again), and
   * Adam divides each gradient by its own running size, so such a parameter moves by the full
   * learning rate in a direction set by rounding noise, a different one on each backend.
   */
  static final Optimizer FINE_TUNING = new Optimizer.Sgd(0.001, 0.9, 0, false);

  private final ImportGraph g;
  private final List<Layer> layers = new ArrayList<>();
  private final List<List<String>> inputs = new ArrayList<>();
  private final List<Map<String, float[]>> params = new ArrayList<>();
  private final List<Boolean> synthetic = new ArrayList<>();
  private final Map<String, Shape> shapes = new HashMap<>();
  private final Set<String> names = new HashSet<>();
  private final Map<String, Integer> typeCounters = new HashMap<>();
  private final List<ImportStep> steps = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  ImportBuilder(ImportGraph g) {
    this.g = g;
    names.add(ModelSpec.INPUT);
  }

  void input(Shape shape) {
    shapes.put(ModelSpec.INPUT, shape);
  }

  List<ImportStep> steps() {
    return steps;
  }

  List<String> notes() {
    return notes;
  }

  void note(String note) {
    if (!notes.contains(note)) {
      notes.add(note);
    }
  }

  /** A row for nodes that became no layer. */
  void step(List<NodeProto> nodes, String why) {
    steps.add(new ImportStep(describe(nodes), null, why));
  }

  /**
   * Adds a layer reading {@code ins}; returns its output. A transposed activation may only be
   * flattened, and an NHWC-ordered feature vector only reach a dense layer (whose pattern
   * permutes its weight) or element-wise activations ({@link #emitElementwise}); anything else
   * reading one is refused here.
   *
   * @param nodes the ONNX nodes the layer replaces (the last one names it, when it has a name)
   * @param weight the layer's main weight, whose initialiser name can name it (may be null)
   * @param make the layer, given its name
   * @param layerParams canonical parameters by suffix
   */
  ImportValue.Activation emit(
      List<NodeProto> nodes, ConstTensor weight, String type, Function<String, Layer> make,
      List<ImportValue.Activation> ins, Map<String, float[]> layerParams) {
    return emit(nodes, false, weight, type, make, ins, layerParams);
  }

  /**
   * As {@link #emit(List, ConstTensor, String, Function, List, Map)}; {@code rootNames}: the
   * first node names the layer (a conv or dense whose bias or folded scale follows it), else
   * the last (the node that writes a chain's result, such as a GELU's final Mul).
   */
  ImportValue.Activation emit(
      List<NodeProto> nodes, boolean rootNames, ConstTensor weight, String type, Function<String, Layer> make,
      List<ImportValue.Activation> ins, Map<String, float[]> layerParams) {
    NodeProto last = nodes.get(nodes.size() - 1);
    for (ImportValue.Activation a : ins) {
      if (a.pendingPerm() != null) {
        throw g.refuse(last, "it reads the output of Transpose '" + a.pendingNode() + "', which reorders the axes of an activation;"
            + " Rosetta's activations stay NCHW, so a transposed activation can only be flattened (Keras's NHWC flatten)", null);
      }
      if (a.featureOrder() != null) {
        throw g.refuse(last, "it reads features flattened in NHWC order (Keras's Flatten) before any dense layer;"
            + " only element-wise activations may come between that flatten and the dense layer whose weight is reordered", null);
      }
    }
    List<NodeProto> namers = rootNames ? List.of(nodes.get(0)) : nodes;
    String preferred = LayerNames.preferred(namers, weight, g.model.getProducerName());
    return add(nodes, weight, preferred, type, make, ins, layerParams, false, null);
  }

  /** An element-wise layer: an NHWC feature order passes through it to the next dense layer. */
  ImportValue.Activation emitElementwise(List<NodeProto> nodes, String type, Function<String, Layer> make, ImportValue.Activation in) {
    if (in.pendingPerm() != null) {
      return emit(nodes, null, type, make, List.of(in), Map.of());
    }
    return add(nodes, null, null, type, make, List.of(in), Map.of(), false, in.featureOrder());
  }

  /**
   * A layer no node asked for, added so Rosetta's shapes match ONNX's: a reshape of a global
   * average pool back to {@code [C, 1, 1]}. {@link #finish} drops it again when the next layer
   * flattens it anyway.
   */
  ImportValue.Activation emitSynthetic(String name, Function<String, Layer> make, ImportValue.Activation in, String why) {
    ImportValue.Activation out = add(List.of(), null, name, "reshape", make, List.of(in), Map.of(), true, null);
    steps.add(new ImportStep(List.of(), out.layer(), why));
    return out;
  }

  private ImportValue.Activation add(
      List<NodeProto> nodes, ConstTensor weight, String preferred, String type, Function<String, Layer> make,
      List<ImportValue.Activation> ins, Map<String, float[]> layerParams, boolean isSynthetic, int[] featureOrder) {
    String name = unique(preferred != null ? preferred : LayerNames.preferred(nodes, weight, g.model.getProducerName()), type);
    Layer layer = make.apply(name);
    List<Shape> inShapes = ins.stream().map(ImportValue.Activation::shape).toList();
    Shape out;
    try {
      out = layer.output(inShapes);
    } catch (RuntimeException e) {
      throw g.refuse(nodes.get(nodes.size() - 1),
          "its input shapes " + inShapes + " do not fit a Rosetta " + type + " layer (" + e.getMessage() + ")", null);
    }
    layers.add(layer);
    inputs.add(ins.stream().map(ImportValue.Activation::layer).toList());
    params.add(new LinkedHashMap<>(layerParams));
    synthetic.add(isSynthetic);
    shapes.put(name, out);
    if (!isSynthetic) {
      steps.add(new ImportStep(describe(nodes), name, describe(layer)));
    }
    return new ImportValue.Activation(name, out, null, null, featureOrder);
  }

  /** Node descriptions plus the Constant and shape nodes that fed them. */
  private List<String> describe(List<NodeProto> nodes) {
    Set<NodeProto> all = new java.util.TreeSet<>(java.util.Comparator.comparingInt(g::position));
    for (NodeProto n : nodes) {
      for (String in : n.getInputList()) {
        for (String src : g.sourceNodes(in)) {
          NodeProto p = g.nodeNamed(src);
          if (p != null) {
            all.add(p);
          }
        }
      }
      all.add(n);
    }
    return all.stream().map(g::describe).toList();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code conv2d {"filters":16,"kernel":[3,3],...}} without the init schemes. */
  static String describe(Layer layer) {
    ObjectNode o = JSON.createObjectNode();
    writeFields(layer, o);
    o.remove("weight_init");
    o.remove("bias_init");
    return o.isEmpty() ? layer.type() : layer.type() + " " + o;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Layer> void writeFields(Layer layer, ObjectNode o) {
    dev.rosetta.spec.Kind<T> kind = (dev.rosetta.spec.Kind<T>) layer.kind();
    kind.schema().write((T) layer, o);
  }

  private String unique(String preferred, String type) {
    if (preferred == null || preferred.isEmpty()) {
      String candidate;
      do {
        candidate = type + typeCounters.merge(type, 1, Integer::sum);
      } while (names.contains(candidate));
      names.add(candidate);
      return candidate;
    }
    String stem = names.contains(preferred) ? preferred + "_" + type : preferred;
    String candidate = stem;
    for (int k = 2; names.contains(candidate); k++) {
      candidate = stem + k;
    }
    names.add(candidate);
    return candidate;
  }

  /** The finished import. */
  record Result(CheckedSpec spec, WeightSet weights) {}

  /**
   * Builds the spec: layers the output does not depend on are dropped, synthetic reshapes that
   * a flatten or reshape follows are removed, and the rest is validated.
   *
   * @param output the graph output's value
   */
  Result finish(String specName, Shape input, ImportValue.Activation output, NodeProto outputNode) {
    if (output.pendingPerm() != null || output.featureOrder() != null) {
      throw g.refuse(outputNode, "the model output is an activation in NHWC order (after Transpose '" + output.pendingNode()
          + "'); Rosetta's outputs are NCHW, so an output-side Transpose is not imported", null);
    }
    if (output.layer().equals(ModelSpec.INPUT)) {
      throw new OnnxImportException(g.file + ": the graph computes nothing but its input; there is no layer to import", null);
    }
    int n = layers.size();
    boolean[] keep = new boolean[n];
    Map<String, Integer> indexOf = new HashMap<>();
    for (int i = 0; i < n; i++) {
      indexOf.put(layers.get(i).name(), i);
    }
    java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(List.of(output.layer()));
    while (!todo.isEmpty()) {
      Integer i = indexOf.get(todo.pop());
      if (i != null && !keep[i]) {
        keep[i] = true;
        todo.addAll(inputs.get(i));
      }
    }
    // Synthetic reshapes read by exactly one flatten or reshape: that layer reads the pooled
    // vector directly (same values, same row-major order).
    Map<String, String> replaced = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (!keep[i] || !synthetic.get(i)) {
        continue;
      }
      String name = layers.get(i).name();
      List<Integer> readers = new ArrayList<>();
      for (int j = 0; j < n; j++) {
        if (keep[j] && inputs.get(j).contains(name)) {
          readers.add(j);
        }
      }
      if (readers.size() == 1 && !name.equals(output.layer())
          && (layers.get(readers.get(0)) instanceof Layer.Flatten || layers.get(readers.get(0)) instanceof Layer.Reshape)) {
        keep[i] = false;
        replaced.put(name, inputs.get(i).get(0));
      }
    }
    List<String> dropped = new ArrayList<>();
    List<Layer> kept = new ArrayList<>();
    List<List<String>> keptInputs = new ArrayList<>();
    List<Map<String, float[]>> keptParams = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!keep[i]) {
        if (!synthetic.get(i)) {
          dropped.add(layers.get(i).name());
        }
        continue;
      }
      kept.add(layers.get(i));
      keptInputs.add(inputs.get(i).stream().map(s -> replaced.getOrDefault(s, s)).toList());
      keptParams.add(params.get(i));
    }
    if (!dropped.isEmpty()) {
      note("layers the output does not depend on were left out: " + String.join(", ", dropped));
    }
    steps.removeIf(s -> s.layer() != null && replaced.containsKey(s.layer()));
    steps.replaceAll(s -> s.layer() != null && dropped.contains(s.layer())
        ? new ImportStep(s.nodes(), null, "left out: the output does not depend on it") : s);
    Map<String, List<String>> connections = new LinkedHashMap<>();
    for (int i = 0; i < kept.size(); i++) {
      List<String> previous = List.of(i == 0 ? ModelSpec.INPUT : kept.get(i - 1).name());
      if (!keptInputs.get(i).equals(previous)) {
        connections.put(kept.get(i).name(), keptInputs.get(i));
      }
    }
    Shape out = shapes.get(output.layer());
    Loss loss = out.rank() == 1 && out.dim(0) >= 2 ? new Loss.CrossEntropy() : new Loss.Mse();
    ModelSpec spec = new ModelSpec(specName, input, kept, connections, loss, FINE_TUNING, Training.DEFAULT);
    CheckedSpec checked;
    try {
      checked = spec.check();
    } catch (SpecException e) {
      throw new OnnxImportException(g.file + ": the layers matched in the graph do not form a valid spec: " + e.getMessage(), null);
    }
    Map<String, Map<String, float[]>> byLayer = new HashMap<>();
    for (int i = 0; i < kept.size(); i++) {
      byLayer.put(kept.get(i).name(), keptParams.get(i));
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (ParamSpec p : checked.params()) {
      int dot = p.name().lastIndexOf('.');
      float[] data = byLayer.get(p.name().substring(0, dot)).get(p.name().substring(dot + 1));
      if (data == null || data.length != p.shape().size()) {
        throw new IllegalStateException("import built " + p.name() + " with " + (data == null ? "no" : data.length) + " values for shape " + p.shape());
      }
      tensors.put(p.name(), new Tensor(p.shape(), data));
    }
    return new Result(checked, new WeightSet(tensors));
  }
}
