package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.engine.onnxruntime.OnnxBenchmark;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.train.InferenceBenchmark;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** {@code rosetta bench --inference}: every backend's inference face and ONNX Runtime, one run. */
final class InferenceBench {
  private final PrintWriter out;
  private final boolean json;

  InferenceBench(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  int run(CheckedSpec spec, Path specFile, Path checkpoint) throws IOException {
    WeightSet w = checkpoint != null ? Checkpoint.load(checkpoint, spec).weights() : Initializer.initialize(spec);
    InferenceBenchmark.Options options = InferenceBenchmark.Options.DEFAULT;
    ObjectNode j = Json.object();
    out.printf(Locale.ROOT, "inference bench %s: %d warm-up, %d batch-1 runs, %d batch-%d runs%n",
        spec.name(), options.warmup(), options.latencyRuns(), options.throughputRuns(), options.throughputBatch());
    for (Backend b : Backends.available()) {
      SpecFiles.requireSupported(b, spec, specFile);
      try (InferenceModel m = b.inference(spec, w)) {
        record(j, b.name(), InferenceBenchmark.run(m, spec.input(), options, spec.training().seed()));
      }
    }
    Path dir = Files.createTempDirectory("rosetta-bench");
    Path onnx = dir.resolve("model.onnx");
    try {
      OnnxExport.export(spec, w, java.util.Map.of(), onnx);
      record(j, ModelSource.ONNX_RUNTIME, OnnxBenchmark.run(onnx, spec, options));
    } finally {
      Files.deleteIfExists(onnx);
      Files.deleteIfExists(dir);
    }
    if (json) {
      out.println(Json.line(j));
    }
    out.flush();
    return Rosetta.OK;
  }

  private void record(ObjectNode j, String name, InferenceBenchmark.Result r) {
    out.printf(Locale.ROOT, "%-12s %s%n", name, r.toText());
    out.flush();
    ObjectNode n = j.putObject(name);
    n.put("p50_ms", r.p50Millis());
    n.put("p99_ms", r.p99Millis());
    n.put("batch", r.throughputBatch());
    n.put("samples_per_second", r.samplesPerSecond());
  }
}
