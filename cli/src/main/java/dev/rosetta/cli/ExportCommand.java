package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.converter.OnnxOpset;
import dev.rosetta.engine.onnxruntime.OnnxVerifier;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.backend.Backend;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.backend.Backends;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.backend.InferenceModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "export",
    description = {
      "Convert a checkpoint to ONNX (opset " + OnnxOpset.DEFAULT + " by default), written atomically.",
      "--verify runs the file in ONNX Runtime at batch sizes 1 and 37 against the backend that trained the checkpoint;"
          + " the file is kept only if every output agrees within 1e-5, times the largest output when that exceeds 1 (else exit 1).",
      "A spec with a preprocess section exports its fitted preprocessing as the graph's first nodes: the file reads raw"
          + " rows (numeric columns as float with NaN for missing, categorical columns as strings); --verify then runs raw"
          + " rows of --data, those with missing values first."
    })
final class ExportCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Option(names = "--weights", paramLabel = "CKPT", required = true, description = "Checkpoint (.safetensors) from any backend.")
  Path weights;

  @Option(names = "--out", paramLabel = "FILE", required = true, description = "The .onnx file to write.")
  Path out;

  @Option(names = "--opset", description = "ONNX opset, " + OnnxOpset.MIN + ".." + OnnxOpset.MAX + " (default ${DEFAULT-VALUE}); the IR version follows it.", defaultValue = "" + OnnxOpset.DEFAULT)
  int opset;

  @Option(names = "--verify", description = "Check the export in ONNX Runtime against the training backend.")
  boolean verify;

  @Option(names = "--backend", description = "Reference backend for --verify (default: the one that wrote the checkpoint).")
  String backend;

  @Mixin DataOptions data;

  @Option(names = "--json", description = "End with one JSON object of the results.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter o = cmd.commandLine().getOut();
    if (opset < OnnxOpset.MIN || opset > OnnxOpset.MAX) {
      throw new Rosetta.UserInputException("--opset must be in " + OnnxOpset.MIN + ".." + OnnxOpset.MAX + " (the bundled ONNX Runtime's range), got " + opset);
    }
    CheckedSpec spec = SpecFiles.load(specFile, cmd.commandLine().getErr());
    Checkpoint.Loaded ckpt = Checkpoint.load(weights, spec);
    Preprocessor pre = ckpt.preprocessor(spec, weights.toString());
    var provenance = OnnxExport.provenanceFromCheckpoint(ckpt.metadata());
    RawRows rows = verify && pre != null ? data.verificationRows(spec) : null;
    ObjectNode j = Json.object();
    j.put("onnx", out.toString());
    j.put("opset", opset);
    j.put("ir_version", OnnxOpset.irVersion(opset));
    if (!verify) {
      OnnxExport.export(spec, ckpt.weights(), provenance, opset, pre, out);
      o.printf(Locale.ROOT, "wrote %s (opset %d, IR %d)%n", out, opset, OnnxOpset.irVersion(opset));
      if (json) {
        o.println(Json.line(j));
      }
      o.flush();
      return Rosetta.OK;
    }
    // Verify a staged copy; only a verified export is moved into place.
    Path staged = AtomicFile.temporaryBeside(out, ".verify");
    try {
      OnnxExport.export(spec, ckpt.weights(), provenance, opset, pre, staged);
      Backend ref = ModelSource.backendFor(backend, ckpt);
      OnnxVerifier.Verification v;
      try (InferenceModel reference = ref.inference(spec, ckpt.weights())) {
        if (pre != null) {
          RawRows pool = OnnxVerifier.tabularPool(pre, rows);
          int missing = 0;
          for (int r = 0; r < pool.size(); r++) {
            missing += pool.hasMissing(r) ? 1 : 0;
          }
          o.printf(Locale.ROOT, "verifying on raw rows of %s: %d rows, %d with missing values%n", rows.source(), pool.size(), missing);
          j.put("rows_with_missing_values", missing);
          v = OnnxVerifier.verifyTabular(staged, spec, pre, reference, rows);
        } else {
          Dataset samples = data.verificationSamples(spec, ckpt.vocabulary());
          v = samples != null
              ? OnnxVerifier.verify(staged, spec, reference, samples)
              : OnnxVerifier.verify(staged, spec, reference);
        }
      }
      o.printf(Locale.ROOT, "ONNX Runtime vs %s: %s%n", ref.name(), v.toText());
      j.put("reference", ref.name());
      for (var e : v.maxAbsDiff().entrySet()) {
        j.put("max_abs_diff_batch_" + e.getKey(), e.getValue());
      }
      j.put("output_scale", v.outputScale());
      j.put("tolerance", v.tolerance());
      j.put("pass", v.pass());
      if (!v.pass()) {
        o.printf(Locale.ROOT, "verification FAILED: %s not written%n", out);
        if (json) {
          o.println(Json.line(j));
        }
        o.flush();
        return Rosetta.CHECK_FAILED;
      }
      Files.move(staged, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      o.printf(Locale.ROOT, "wrote %s (opset %d, IR %d), verified%n", out, opset, OnnxOpset.irVersion(opset));
      if (json) {
        o.println(Json.line(j));
      }
      o.flush();
      return Rosetta.OK;
    } finally {
      Files.deleteIfExists(staged);
    }
  }
}
