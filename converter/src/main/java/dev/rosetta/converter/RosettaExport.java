package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file Rosetta exported, recognised by what it carries: the spec's canonical JSON ({@value
 * OnnxImport#SPEC_METADATA}) and, for a spec that preprocesses table rows, the fitted statistics
 * ({@value OnnxLowering#PREPROCESS}). When that spec, exported with the file's weights (and
 * statistics) at the file's opset, gives exactly the file's graph, the file is that export and
 * the spec comes back as it was: what a graph cannot say (dropout, layer names, init schemes,
 * loss, optimizer, training settings, the preprocess section) included.
 */
final class RosettaExport {
  /** The spec, its weights in canonical order, and the fitted preprocessing (or null). */
  record Restored(CheckedSpec spec, WeightSet weights, Preprocessor preprocessor) {}

  private RosettaExport() {}

  /**
   * @return null when the file carries no spec; else the restored spec, or a reason in {@code
   *     why} (its first element) when the metadata does not describe this graph
   */
  static Restored restore(Path file, ModelProto model, int opset, String name, List<String> why) {
    Map<String, String> meta = new LinkedHashMap<>();
    for (StringStringEntryProto e : model.getMetadataPropsList()) {
      meta.put(e.getKey(), e.getValue());
    }
    String json = meta.get(OnnxImport.SPEC_METADATA);
    if (json == null) {
      return null;
    }
    try {
      CheckedSpec embedded = SpecJson.parse(json, file + " metadata " + OnnxImport.SPEC_METADATA);
      String statistics = meta.get(OnnxLowering.PREPROCESS);
      Preprocessor pre = statistics == null ? null : Preprocessor.fromJson(statistics, embedded, file + " metadata " + OnnxLowering.PREPROCESS);
      WeightSet weights = parameters(model, file, embedded);
      if (weights == null) {
        why.add("the file's " + OnnxImport.SPEC_METADATA + " does not fit its weights");
        return null;
      }
      ModelProto again = OnnxLowering.lower(embedded, weights, Map.of(), opset, pre);
      if (!structure(again).equals(structure(model))) {
        why.add("the file's " + OnnxImport.SPEC_METADATA + " does not export to its graph (edited after export?)");
        return null;
      }
      CheckedSpec spec = name == null ? embedded : embedded.spec().withName(name).check();
      return new Restored(spec, weights, pre);
    } catch (RuntimeException e) {
      why.add("the file's " + OnnxImport.SPEC_METADATA + " could not be used (" + e.getMessage() + ")");
      return null;
    }
  }

  /**
   * The spec's parameters from the file's initialisers of the same names, in the spec's order;
   * null when one is missing or has another shape. Other initialisers (the preprocessing's
   * constants) are left to the comparison of the graphs.
   */
  private static WeightSet parameters(ModelProto model, Path file, CheckedSpec spec) {
    Map<String, TensorProto> byName = new LinkedHashMap<>();
    for (TensorProto t : model.getGraph().getInitializerList()) {
      byName.put(t.getName(), t);
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (ParamSpec p : spec.params()) {
      TensorProto t = byName.get(p.name());
      if (t == null) {
        return null;
      }
      ConstTensor c = OnnxTensors.read(t, file, true);
      Shape shape = Shape.of(ConstTensor.toInt(c.dims()));
      if (!c.isFloat() || !shape.equals(p.shape())) {
        return null;
      }
      out.put(p.name(), new Tensor(shape, c.floats()));
    }
    return new WeightSet(out);
  }

  /** The file's structure (OnnxText) without its metadata keys, whose provenance legitimately differs. */
  private static String structure(ModelProto m) {
    List<String> lines = new ArrayList<>();
    for (String line : OnnxText.dump(m).split("\n")) {
      if (!line.startsWith("metadata_keys")) {
        lines.add(line);
      }
    }
    return String.join("\n", lines);
  }
}
