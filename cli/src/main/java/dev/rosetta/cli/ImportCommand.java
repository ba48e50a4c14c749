package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.converter.ImportStep;
import dev.rosetta.converter.ImportedModel;
import dev.rosetta.converter.OnnxImport;
import dev.rosetta.engine.onnxruntime.OnnxVerifier;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.tabular.RawRows;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "import",
    description = {
      "Turn an ONNX file (PyTorch's torch.onnx or dynamo exporter, Keras through tf2onnx, Rosetta) into a spec and its weights:"
          + " writes OUT/" + OnnxImport.SPEC_FILE + " and OUT/" + OnnxImport.WEIGHTS_FILE + " (canonical names and layout), each atomically,"
          + " and prints which ONNX nodes became which layer. Then validate, eval, train --weights and export work on them.",
      "An op or form with no Rosetta layer stops the import (exit 2) naming the node, its op type and opset; nothing is written.",
      "--verify runs the original file in ONNX Runtime and the imported spec on every training backend on the same inputs"
          + " (batch 1 and 37; --data, default the embedded test set when it fits, else seeded normal inputs; a Rosetta export that"
          + " preprocesses table rows runs on the raw rows of --data), and writes only"
          + " if every output agrees within 1e-5, times the largest output when that exceeds 1 (else exit 1)."
    })
final class ImportCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", description = "The .onnx file.")
  Path model;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Folder for " + OnnxImport.SPEC_FILE + " and " + OnnxImport.WEIGHTS_FILE + ".")
  Path out;

  @Option(names = "--name", paramLabel = "N", description = "The spec's name (default: the file's name without .onnx).")
  String name;

  @Option(names = "--verify", description = "Check the import against the original file in ONNX Runtime on every training backend before writing.")
  boolean verify;

  @Option(names = "--backend", paramLabel = "B", description = "Backend(s) --verify runs the imported spec on (repeatable; default: pytorch and tensorflow).")
  List<String> backends;

  @Mixin DataOptions data;

  @Option(names = "--json", description = "End with one JSON object of the results.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter o = cmd.commandLine().getOut();
    PrintWriter err = cmd.commandLine().getErr();
    ImportedModel m = OnnxImport.read(model, name);
    o.printf(Locale.ROOT, "imported %s (%s, opset %d, IR %d): %d layers, %,d parameters%n",
        model, m.producer().isEmpty() ? "unknown producer" : m.producer(), m.opset(), m.irVersion(),
        m.spec().layers().size(), m.spec().paramCount());
    if (m.preprocessor() != null) {
      o.printf(Locale.ROOT, "input: raw table rows (the file's preprocessing is the spec's preprocess section, its statistics go into the weights file)%n");
    } else {
      o.printf(Locale.ROOT, "input '%s': %s%n", m.inputName(), m.inputLayout().describe());
    }
    o.print(m.table());
    for (String note : m.notes()) {
      o.println("note: " + note);
    }
    for (SpecIssue w : m.spec().warnings()) {
      err.println(model + ": " + w);
    }
    ObjectNode j = Json.object();
    j.put("model", model.toString());
    j.put("producer", m.producer());
    j.put("opset", m.opset());
    j.put("layers", m.spec().layers().size());
    j.put("parameters", m.spec().paramCount());
    j.put("input_layout", m.inputLayout().describe());
    j.put("restored_from_metadata", m.restored());
    ArrayNode steps = j.putArray("steps");
    for (ImportStep s : m.steps()) {
      ObjectNode row = steps.addObject();
      s.nodes().forEach(row.putArray("nodes")::add);
      if (s.layer() != null) {
        row.put("layer", s.layer());
      }
      row.put("what", s.what());
    }
    boolean pass = true;
    if (verify) {
      // A file that preprocesses raw table rows is checked on rows of --data; any other on samples.
      RawRows rows = m.preprocessor() != null ? data.verificationRows(m.spec()) : null;
      float[] samples = rows == null ? OnnxVerifier.samples(m.spec(), data.verificationSamples(m.spec())) : null;
      ObjectNode checks = j.putObject("verify");
      for (Backend b : trainingBackends()) {
        SpecFiles.requireSupported(b, m.spec(), model);
        OnnxVerifier.Verification v;
        try (InferenceModel candidate = b.inference(m.spec(), m.weights())) {
          v = rows != null
              ? OnnxVerifier.verifyTabular(m.source(), m.spec(), m.preprocessor(), candidate, rows)
              : OnnxVerifier.verifyImport(m, candidate, samples);
        }
        o.printf(Locale.ROOT, "ONNX Runtime (original file) vs %s: %s%n", b.name(), v.toText());
        ObjectNode c = checks.putObject(b.name());
        Json.put(c, "max_abs_diff", v.worst());
        c.put("output_scale", v.outputScale());
        c.put("tolerance", v.tolerance());
        c.put("pass", v.pass());
        pass &= v.pass();
      }
    }
    j.put("pass", pass);
    if (!pass) {
      o.printf(Locale.ROOT, "verification FAILED: the imported spec computes something else; nothing written to %s%n", out);
      finish(o, j);
      return Rosetta.CHECK_FAILED;
    }
    OnnxImport.write(m, out);
    Path spec = out.resolve(OnnxImport.SPEC_FILE);
    Path weights = out.resolve(OnnxImport.WEIGHTS_FILE);
    o.printf(Locale.ROOT, "wrote %s and %s%s%n", spec, weights, verify ? ", verified" : "");
    j.put("spec", spec.toString());
    j.put("weights", weights.toString());
    finish(o, j);
    return Rosetta.OK;
  }

  private void finish(PrintWriter o, ObjectNode j) {
    if (json) {
      o.println(Json.line(j));
    }
    o.flush();
  }

  /** The training backends the import is checked on (ONNX Runtime is the reference here). */
  private List<Backend> trainingBackends() {
    List<Backend> out = new ArrayList<>();
    for (String n : backends != null ? backends : List.of("pytorch", "tensorflow")) {
      out.add(Backends.get(n));
    }
    return out;
  }
}
