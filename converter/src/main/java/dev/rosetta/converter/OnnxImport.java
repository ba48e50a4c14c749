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
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * ONNX to Rosetta: a model exported from PyTorch (torch.onnx, TorchScript or dynamo), Keras
 * (tf2onnx) or Rosetta itself becomes a spec and a weight set in canonical names and layout,
 * which then trains, evaluates and exports like any other. The graph is not translated op by
 * op: the importer recognises the forms exporters write for each layer ({@link NodePattern}s,
 * listed in {@link NodePatterns}) and refuses anything else, naming the node.
 *
 * <pre>{@code
 * ImportedModel m = OnnxImport.read(Path.of("model.onnx"));
 * OnnxImport.write(m, Path.of("imported"));   // spec.json + weights.safetensors
 * }</pre>
 *
 * <p>A file Rosetta exported carries its spec in the metadata ({@value #SPEC_METADATA}); when
 * exporting that spec with the file's weights gives exactly the file's graph ({@link
 * RosettaExport}), the import returns that spec (dropout layers, names, loss, optimizer and
 * training settings, a preprocess section and its fitted statistics included), so export and
 * import are inverses.
 */
public final class OnnxImport {
  /** Metadata key under which an export stores the spec's canonical JSON. */
  public static final String SPEC_METADATA = "rosetta_spec";
  public static final String SPEC_FILE = "spec.json";
  public static final String WEIGHTS_FILE = "weights.safetensors";
  /** The {@code backend} a written weights file names: not a backend, the import. */
  public static final String PROVENANCE_BACKEND = "onnx-import";

  private OnnxImport() {}

  /** Imports with the file's name (without {@code .onnx}) as the spec's name. */
  public static ImportedModel read(Path file) throws IOException {
    return read(file, null);
  }

  /**
   * Reads and imports an ONNX file. Nothing is written.
   *
   * @param name the spec's name, or null for the file's (or, for a Rosetta export, its spec's)
   * @throws OnnxFileException for a missing, truncated or corrupt file
   * @throws OnnxImportException for a graph that cannot be a spec, naming the node and why
   */
  public static ImportedModel read(Path file, String name) throws IOException {
    ModelProto model = OnnxInspector.read(file);
    int opset = defaultOpset(file, model);
    List<String> why = new ArrayList<>();
    RosettaExport.Restored restored = RosettaExport.restore(file, model, opset, name, why);
    ImportedModel matched;
    try {
      matched = match(file, model, opset, name);
    } catch (OnnxImportException e) {
      // A Rosetta export the patterns cannot read (its graph starts with the preprocessing of
      // raw table rows) is still exactly its spec's export.
      if (restored == null) {
        throw e;
      }
      matched = null;
    }
    if (restored == null) {
      List<String> notes = new ArrayList<>(matched.notes());
      why.forEach(w -> notes.add(w + "; imported from the graph alone"));
      return matched.withNotes(notes);
    }
    return restoredModel(file, model, opset, restored, matched);
  }

  /** The patterns' import of the graph. */
  private static ImportedModel match(Path file, ModelProto model, int opset, String name) {
    ImportGraph g = new ImportGraph(file, model, opset);
    for (TensorProto t : model.getGraph().getInitializerList()) {
      g.value(t.getName());
    }
    ValueInfoProto input = graphInput(g);
    Shape sample = sampleShape(g, input);
    requireOneOutput(g);
    for (NodeProto n : g.nodes()) {
      requireSupported(g, n);
    }
    InputLayout layout = inputEdge(g, input.getName(), sample);
    g.builder.input(layout.canonical());
    walk(g);
    String outName = model.getGraph().getOutput(0).getName();
    ImportValue out = g.value(outName);
    if (!(out instanceof ImportValue.Activation act)) {
      throw new OnnxImportException(file + ": the graph output '" + outName + "' is not computed from the input", null);
    }
    NodeProto outNode = g.producer(outName);
    String specName = name != null ? name : stem(file);
    ImportBuilder.Result r = g.builder.finish(specName, layout.canonical(), act, outNode);
    List<String> notes = new ArrayList<>();
    if (!layout.isIdentity()) {
      notes.add("input layout changed: the file takes " + layout.describe() + "; the spec takes NCHW samples");
    }
    notes.addAll(g.builder.notes());
    return new ImportedModel(file, r.spec(), r.weights(), input.getName(), layout, g.exportBatch,
        producer(model), opset, model.getIrVersion(), g.builder.steps(), notes, false, null);
  }

  private static ImportedModel restoredModel(Path file, ModelProto model, int opset, RosettaExport.Restored r, ImportedModel matched) {
    List<ImportStep> steps = matched != null ? matched.steps()
        : List.of(new ImportStep(List.of(model.getGraph().getNodeCount() + " nodes"), null,
            "the spec's export with its fitted preprocessing in front (raw table rows in), restored whole"));
    String note = "a Rosetta export: the spec stored in its metadata exports to exactly this graph, so it is returned as it was"
        + " (layer names, dropout, loss, optimizer and training settings included"
        + (r.preprocessor() != null ? "; the preprocess section and its fitted statistics too" : "") + ")";
    String inputName = model.getGraph().getInput(0).getName();
    return new ImportedModel(file, r.spec(), r.weights(), inputName, InputLayout.same(r.spec().input()), 0,
        producer(model), opset, model.getIrVersion(), steps, List.of(note), true, r.preprocessor());
  }

  private static String producer(ModelProto model) {
    return (model.getProducerName() + " " + model.getProducerVersion()).trim();
  }

  /**
   * Writes {@value #SPEC_FILE} and {@value #WEIGHTS_FILE} into {@code dir}, each atomically. The
   * weights are a checkpoint (step 0, backend {@value #PROVENANCE_BACKEND}), so {@code eval} and
   * {@code train --weights} read them as they are.
   */
  public static void write(ImportedModel m, Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, String> versions = new TreeMap<>();
    versions.put("onnx_producer", m.producer());
    versions.put("onnx_opset", Long.toString(m.opset()));
    versions.put("onnx_file", String.valueOf(m.source().getFileName()));
    Provenance p = new Provenance(PROVENANCE_BACKEND, versions, m.spec().training().seed(), 0, 0, Map.of());
    Checkpoint.save(dir.resolve(WEIGHTS_FILE), m.spec(), m.weights(), p, m.preprocessor());
    AtomicFile.writeString(dir.resolve(SPEC_FILE), SpecJson.write(m.spec()));
  }

  private static int defaultOpset(Path file, ModelProto model) {
    for (OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        return (int) o.getVersion();
      }
    }
    throw new OnnxImportException(file + ": the model imports no version of the standard ONNX operator set", null);
  }

  private static String stem(Path file) {
    String f = String.valueOf(file.getFileName());
    return f.endsWith(".onnx") ? f.substring(0, f.length() - ".onnx".length()) : f;
  }

  /**
   * The one input a caller feeds. Another input that a node reads means weights fed at run
   * time, not stored: refused, naming the node.
   */
  private static ValueInfoProto graphInput(ImportGraph g) {
    List<ValueInfoProto> real = new ArrayList<>();
    for (ValueInfoProto v : g.model.getGraph().getInputList()) {
      if (!g.initializers().containsKey(v.getName())) {
        real.add(v);
      }
    }
    if (real.isEmpty()) {
      throw new OnnxImportException(g.file + ": the graph has no input", null);
    }
    for (ValueInfoProto extra : real.subList(1, real.size())) {
      List<NodeProto> readers = g.consumers(extra.getName());
      if (!readers.isEmpty()) {
        NodeProto n = readers.get(0);
        throw g.refuse(n, "it reads the graph input '" + extra.getName() + "', which the caller feeds at run time beside '"
            + real.get(0).getName() + "': those weights are not stored in the file, so there is nothing to train", null);
      }
      g.builder.note("the graph input '" + extra.getName() + "' is read by no node and was ignored");
    }
    return real.get(0);
  }

  /** One sample of the input, every axis but the batch known. */
  private static Shape sampleShape(ImportGraph g, ValueInfoProto input) {
    TypeProto t = input.getType();
    if (!t.hasTensorType() || t.getTensorType().getElemType() != TensorProto.DataType.FLOAT.getNumber()) {
      throw new OnnxImportException(g.file + ": the input '" + input.getName() + "' is "
          + (t.hasTensorType() ? ImportGraph.elementType(t.getTensorType().getElemType()) : "not a tensor")
          + (t.hasTensorType() && t.getTensorType().getElemType() == TensorProto.DataType.INT64.getNumber()
              ? ": token ids. The patterns read float32 graphs only; a sequence model (embedding, position_embedding,"
                  + " multi_head_attention) imports from a Rosetta export whole, through the spec in its metadata"
              : "; Rosetta's inputs are float32 tensors, or int64 token ids in a Rosetta export"), null);
    }
    List<TensorShapeProto.Dimension> dims = t.getTensorType().getShape().getDimList();
    if (dims.size() < 2) {
      throw new OnnxImportException(g.file + ": the input '" + input.getName() + "' has rank " + dims.size()
          + "; expected a batch axis and at least one sample axis", null);
    }
    if (dims.get(0).hasDimValue()) {
      g.exportBatch = (int) dims.get(0).getDimValue();
    }
    int[] sample = new int[dims.size() - 1];
    for (int k = 1; k < dims.size(); k++) {
      TensorShapeProto.Dimension d = dims.get(k);
      if (!d.hasDimValue() || d.getDimValue() <= 0) {
        throw new OnnxImportException(g.file + ": the input '" + input.getName() + "' has a dynamic axis " + k + " ("
            + (d.hasDimParam() ? "'" + d.getDimParam() + "'" : "unknown size") + "); layer sizes would depend on it at run time."
            + " Export with a fixed sample shape (only the batch axis may be dynamic)", null);
      }
      sample[k - 1] = (int) d.getDimValue();
    }
    return Shape.of(sample);
  }

  private static void requireOneOutput(ImportGraph g) {
    GraphProto graph = g.model.getGraph();
    if (graph.getOutputCount() != 1) {
      List<String> names = graph.getOutputList().stream().map(ValueInfoProto::getName).toList();
      throw new OnnxImportException(g.file + ": the graph has " + graph.getOutputCount() + " outputs " + names
          + "; a spec has one output (its last layer)", null);
    }
  }

  /** Refuses, before anything else, a node that no pattern could ever take. */
  private static void requireSupported(ImportGraph g, NodeProto n) {
    boolean subgraph = n.getAttributeList().stream().anyMatch(a -> a.getType() == AttributeProto.AttributeType.GRAPH
        || a.getType() == AttributeProto.AttributeType.GRAPHS);
    if (NodePatterns.CONTROL_FLOW.contains(n.getOpType()) || subgraph) {
      throw g.refuse(n, "control flow (a " + n.getOpType() + " with a body graph) is not a list of layers: what it computes is decided at run time",
          "export the model with the loop unrolled (tracing a fixed number of iterations) so each step is a layer");
    }
    if (!ImportGraph.isStandard(n)) {
      throw g.refuse(n, "it is a custom operator of domain '" + n.getDomain() + "', which no Rosetta layer computes."
          + " Supported ONNX ops: " + NodePatterns.supportedList(), null);
    }
    if (!NodePatterns.supports(n.getOpType())) {
      String nearest = NodePatterns.nearest(n.getOpType());
      throw g.refuse(n, "no Rosetta layer computes " + n.getOpType() + ". Supported ONNX ops: " + NodePatterns.supportedList(),
          nearest == null ? "none" : nearest);
    }
  }

  /**
   * Keras models exported through tf2onnx take NHWC images and turn them into NCHW at the edge:
   * a {@code Transpose(perm=[0, 3, 1, 2])}, or with one channel a {@code Reshape} to {@code [-1,
   * 1, H, W]}. The edge becomes no layer; the spec's input is NCHW.
   */
  private static InputLayout inputEdge(ImportGraph g, String input, Shape sample) {
    List<NodeProto> readers = g.consumers(input);
    if (sample.rank() == 3 && !readers.isEmpty()) {
      boolean transposes = readers.stream().allMatch(r -> r.getOpType().equals("Transpose")
          && java.util.Arrays.equals(ImportGraph.intsAttr(r, "perm"), new long[] {0, 3, 1, 2}));
      boolean reshapes = sample.dim(2) == 1 && readers.stream().allMatch(r -> r.getOpType().equals("Reshape") && reshapesToNchw(g, r, sample));
      if (transposes || reshapes) {
        InputLayout layout = new InputLayout(sample, new int[] {2, 0, 1});
        for (NodeProto r : readers) {
          g.consume(r);
          g.set(r.getOutput(0), new ImportValue.Activation(ModelSpec.INPUT, layout.canonical()));
          g.builder.step(List.of(r), "no layer: the input edge, NHWC " + sample + " -> NCHW " + layout.canonical()
              + (reshapes ? " (a Reshape, since one channel makes the two layouts the same bytes)" : ""));
        }
        return layout;
      }
    }
    g.set(input, new ImportValue.Activation(ModelSpec.INPUT, sample));
    return InputLayout.same(sample);
  }

  private static boolean reshapesToNchw(ImportGraph g, NodeProto r, Shape nhwc) {
    ConstTensor t = g.constant(ImportGraph.input(r, 1));
    if (t == null || t.isFloat() || t.size() != 4) {
      return false;
    }
    long[] v = t.ints();
    boolean batch = v[0] == -1 || v[0] == 0 || (g.exportBatch > 0 && v[0] == g.exportBatch);
    return batch && v[1] == 1 && v[2] == nhwc.dim(0) && v[3] == nhwc.dim(1);
  }

  /** Every node, in order, to the pattern that takes it (or a refusal naming it). */
  private static void walk(ImportGraph g) {
    for (NodeProto n : g.nodes()) {
      if (g.consumed(n)) {
        continue;
      }
      if (ConstantFolding.handles(n) && ConstantFolding.evaluate(g, n)) {
        continue;
      }
      boolean taken = false;
      for (NodePattern p : NodePatterns.BY_OP.getOrDefault(n.getOpType(), List.of())) {
        if (p.apply(g, n)) {
          taken = true;
          break;
        }
      }
      if (!taken) {
        throw unmatched(g, n);
      }
    }
  }

  private static OnnxImportException unmatched(ImportGraph g, NodeProto n) {
    boolean readsActivation = n.getInputList().stream().anyMatch(t -> g.activation(t) != null);
    if (!readsActivation) {
      return g.refuse(n, "it computes a constant from other constants in a way the importer does not evaluate",
          "export with constant folding on (torch.onnx.export(..., do_constant_folding=True)) so weights are stored, not computed");
    }
    String op = n.getOpType();
    if (Set.of("Mul", "Div", "Add", "Sub", "Pow", "Sqrt", "Erf").contains(op)) {
      return g.refuse(n, "this element-wise " + op + " is not part of a form the importer recognises: GELU (exact or tanh),"
          + " SiLU, layer normalisation, the bias of a dense or conv layer, a per-channel scale and shift after a conv", null);
    }
    return g.refuse(n, "no pattern for " + op + " reading " + n.getInputList(), NodePatterns.nearest(op));
  }
}
