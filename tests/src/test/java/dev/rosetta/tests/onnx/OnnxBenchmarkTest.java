package dev.rosetta.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.engine.onnxruntime.OnnxBenchmark;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.testkit.FakeBackend;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.train.InferenceBenchmark;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times the seed model in ONNX Runtime and on every backend with one method. By default a short
 * smoke run that only checks the figures are sane; the real measurement is opt-in:
 *
 * <pre>mvn -B -o test -pl tests -am -Dtest=OnnxBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false -Drosetta.bench=true</pre>
 *
 * <p>Add {@code -Drosetta.bench.threads=1 -Dai.djl.pytorch.num_threads=1} to pin ONNX Runtime and
 * PyTorch to one thread each: on a loaded machine, multi-threaded PyTorch (OpenMP) slows down
 * far more than ONNX Runtime, and single-threaded figures are the comparable ones.
 */
class OnnxBenchmarkTest {
  @TempDir Path dir;

  @Test
  void seedModelOnOnnxRuntimeAndEveryBackend() throws Exception {
    boolean full = Boolean.getBoolean("rosetta.bench");
    InferenceBenchmark.Options options = full ? InferenceBenchmark.Options.DEFAULT : new InferenceBenchmark.Options(5, 20, 256, 3);
    ExampleSpecs.Named seed = ExampleSpecs.examples().stream().filter(s -> s.id().equals("seed-mlp")).findFirst().orElseThrow();
    CheckedSpec spec = seed.spec();
    WeightSet w = Initializer.initialize(spec);
    Path file = dir.resolve("seed-mlp.onnx");
    OnnxExport.export(spec, w, Map.of(), file);

    int threads = Integer.getInteger("rosetta.bench.threads", 0);
    InferenceBenchmark.Result ort = OnnxBenchmark.run(file, spec, options, threads);
    report("onnxruntime" + (threads > 0 ? " (" + threads + " thread" + (threads > 1 ? "s" : "") + ")" : ""), ort, full);
    for (Backend b : Backends.available()) {
      if (FakeBackend.isTestDouble(b)) {
        continue;
      }
      try (InferenceModel m = b.inference(spec, w)) {
        report(b.name(), InferenceBenchmark.run(m, spec.input(), options, spec.training().seed()), full);
      }
    }
  }

  static void report(String engine, InferenceBenchmark.Result r, boolean full) {
    if (full) {
      System.out.println("BENCH seed-mlp " + engine + ": " + r.toText());
    }
    assertTrue(r.p50Millis() > 0 && r.p99Millis() >= r.p50Millis(), engine + ": " + r.toText());
    assertTrue(Double.isFinite(r.samplesPerSecond()) && r.samplesPerSecond() > 0, engine + ": " + r.toText());
  }
}
