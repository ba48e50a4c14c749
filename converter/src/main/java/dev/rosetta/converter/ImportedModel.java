package dev.rosetta.converter;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.weights.WeightSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * An ONNX file turned into a Rosetta spec and its weights (canonical names and layout).
 *
 * @param source the ONNX file
 * @param inputName the file's graph input
 * @param inputLayout how the spec's samples map to the file's (NHWC files become NCHW specs)
 * @param exportBatch the batch size baked into the file's input, or 0 when its batch axis is
 *     symbolic; the spec takes any batch size either way
 * @param producer the file's producer name and version
 * @param steps which nodes became which layer, in graph order
 * @param notes what the importer chose and the user should know (dropped dropout, folded
 *     normalisation, a restored spec)
 * @param restored true when the spec came from the file's {@code rosetta_spec} metadata (a file
 *     Rosetta exported, whose graph is exactly that spec's export)
 * @param preprocessor the fitted preprocessing of a restored spec with a {@code preprocess}
 *     section (the file then reads raw table rows), else null
 */
public record ImportedModel(
    Path source,
    CheckedSpec spec,
    WeightSet weights,
    String inputName,
    InputLayout inputLayout,
    int exportBatch,
    String producer,
    long opset,
    long irVersion,
    List<ImportStep> steps,
    List<String> notes,
    boolean restored,
    Preprocessor preprocessor) {

  public ImportedModel {
    steps = List.copyOf(steps);
    notes = List.copyOf(notes);
  }

  ImportedModel withNotes(List<String> newNotes) {
    return new ImportedModel(source, spec, weights, inputName, inputLayout, exportBatch, producer, opset, irVersion,
        steps, newNotes, restored, preprocessor);
  }

  /** The table {@code rosetta import} prints: ONNX node(s) on the left, the layer on the right. */
  public String table() {
    int width = 12;
    for (ImportStep s : steps) {
      for (String n : s.nodes()) {
        width = Math.max(width, Math.min(n.length(), 60));
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-" + width + "s  %s", "ONNX node(s)", "-> Rosetta layer")).append('\n');
    for (ImportStep s : steps) {
      String right = s.layer() == null ? "-> (" + s.what() + ")" : "-> " + s.layer() + ": " + s.what();
      List<String> ns = s.nodes().isEmpty() ? List.of("") : s.nodes();
      for (int i = 0; i < ns.size(); i++) {
        String line = String.format(Locale.ROOT, "%-" + width + "s  %s", ns.get(i), i == ns.size() - 1 ? right : "");
        out.append(line.stripTrailing()).append('\n');
      }
    }
    return out.toString();
  }
}
