package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.cli.bench.BatchCycle;
import dev.rosetta.cli.bench.JavaInference;
import dev.rosetta.cli.bench.JavaTraining;
import dev.rosetta.cli.bench.Measurement;
import dev.rosetta.cli.bench.SideBySide;
import dev.rosetta.cli.bench.Widened;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.data.Dataset;
import dev.rosetta.engine.onnxruntime.OrtSessionModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.train.InferenceBenchmark;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rosetta bench SPEC --sweep}: how cost grows with the batch size and the model's width,
 * on each backend: training steps, or with {@code --inference} predict calls (ONNX Runtime
 * beside the backends, on the exported model). Every point is a fresh model (the widened spec
 * at that batch size) timed after a warm-up; the backends take turns at each point, so a
 * drifting machine slows them alike. Peak resident memory is per point: the kernel's
 * high-water mark is reset before each one (Linux {@code /proc/self/clear_refs}).
 */
final class SweepBench {
  /** The name of ONNX Runtime's points in an inference sweep. */
  static final String ONNX_RUNTIME = "onnxruntime";

  private final PrintWriter out;
  private final boolean json;

  SweepBench(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  /**
   * One point: a backend, a width and a batch size. {@code threads} is the intra-op count its
   * calls used, 0 for ONNX Runtime's default; {@code m}'s latency is per call (NaN in training).
   */
  record Point(String backend, int width, int batch, int threads, long parameters, Measurement m, double peakRssMb,
      double rssBeforeMb) {}

  /** What one sweep times and on what. {@code train} is null for an inference sweep. */
  record Settings(boolean inference, Dataset train, List<String> backends, List<Integer> batches, List<Integer> widths,
      double seconds, int warmup, List<Integer> threads, Path chart) {}

  int run(CheckedSpec spec, Settings s) throws IOException {
    String mode = s.inference() ? "inference" : "training";
    List<String> contenders = new ArrayList<>(s.backends());
    if (s.inference()) {
      contenders.add(ONNX_RUNTIME);
    }
    out.printf(Locale.ROOT, "sweep %s (%s): batch sizes %s, widths %s, %s; %.1f s per point after %d warm-up %s; load %.2f%n",
        spec.name(), mode, s.batches(), s.widths(), String.join(", ", contenders), s.seconds(), s.warmup(),
        s.inference() ? "calls" : "steps", SideBySide.loadAverage()[0]);
    out.printf(Locale.ROOT, "%-11s %5s %6s %7s %11s %12s%s %14s %14s%n", "backend", "width", "batch", "threads", "parameters",
        "samples/s", s.inference() ? String.format(Locale.ROOT, " %11s", "call p50 ms") : "", "peak rss MB", "rss before MB");
    out.flush();
    Execution e = s.threads() == null || s.threads().isEmpty() ? Execution.DEFAULT : Execution.threads(s.threads().get(0));
    List<Point> points = new ArrayList<>();
    Path tmp = s.inference() ? Files.createTempDirectory("rosetta-sweep") : null;
    try {
      for (int width : s.widths()) {
        CheckedSpec wide = Widened.of(spec, width);
        long parameters = wide.params().stream().filter(p -> p.trainable()).mapToLong(p -> p.shape().size()).sum();
        WeightSet weights = Initializer.initialize(wide);
        Path onnx = null;
        if (s.inference()) {
          onnx = tmp.resolve("width-" + width + ".onnx");
          OnnxExport.export(wide, weights, Map.of(), onnx);
        }
        for (int batch : s.batches()) {
          CheckedSpec at = wide.withTraining(wide.training().withLoop(1, batch, wide.training().seed(), wide.training().shuffle()));
          for (String name : contenders) {
            ProcessMemory.resetPeak();
            double before = ProcessMemory.rssMb();
            Timed t = s.inference() ? predictCalls(name, at, weights, onnx, s) : trainingSteps(name, at, weights, e, s);
            Point p = new Point(name, width, batch, t.threads(), parameters, t.m(), ProcessMemory.peakRssMb(), before);
            points.add(p);
            out.printf(Locale.ROOT, "%-11s %4dx %6d %7s %,11d %,12.0f%s %14.1f %14.1f%n", name, width, batch,
                p.threads() == 0 ? "default" : Integer.toString(p.threads()), parameters, p.m().samplesPerSecond(),
                s.inference() ? String.format(Locale.ROOT, " %11.3f", p.m().p50Millis()) : "", p.peakRssMb(), before);
            out.flush();
          }
        }
      }
    } finally {
      if (tmp != null) {
        CompareBench.deleteTree(tmp);
      }
    }
    out.printf(Locale.ROOT, "load at the end: %.2f%n", SideBySide.loadAverage()[0]);
    if (s.chart() != null) {
      List<ReportCharts.Line> lines = new ArrayList<>();
      for (String b : contenders) {
        for (int w : s.widths()) {
          double[] x = s.batches().stream().mapToDouble(Integer::doubleValue).toArray();
          double[] y = s.batches().stream().mapToDouble(batch -> points.stream()
              .filter(p -> p.backend().equals(b) && p.width() == w && p.batch() == batch).findFirst()
              .map(p -> p.m().samplesPerSecond()).orElse(Double.NaN)).toArray();
          lines.add(new ReportCharts.Line(b + " " + w + "x", x, y));
        }
      }
      ReportCharts.logLines(s.chart(), spec.name() + ": " + mode + " samples/s by batch size and width", "batch size", "samples/s", lines);
    }
    if (json) {
      ObjectNode o = Json.object();
      o.put("spec", spec.name());
      o.put("mode", mode);
      o.put("seconds", s.seconds());
      ArrayNode a = o.putArray("points");
      for (Point p : points) {
        ObjectNode n = a.addObject();
        n.put("backend", p.backend());
        n.put("width", p.width());
        n.put("batch_size", p.batch());
        n.put("threads", p.threads());
        n.put("parameters", p.parameters());
        Json.put(n, "samples_per_second", p.m().samplesPerSecond());
        if (s.inference()) {
          Json.put(n, "p50_ms", p.m().p50Millis());
          Json.put(n, "p99_ms", p.m().p99Millis());
        }
        Json.put(n, "peak_rss_mb", p.peakRssMb());
        Json.put(n, "rss_before_mb", p.rssBeforeMb());
      }
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }

  /** One point's figures and the threads it ran on. */
  private record Timed(Measurement m, int threads) {}

  private static Timed trainingSteps(String backend, CheckedSpec spec, WeightSet weights, Execution e, Settings s) {
    try (TrainableModel model = Backends.get(backend).create(spec, weights, e)) {
      long[] step = {0};
      JavaTraining timer = new JavaTraining(backend, model.intraOpThreads(), b -> {
        model.trainStep(b, ++step[0]);
        return b.size();
      }, new BatchCycle(s.train(), spec.training()), null);
      try {
        return new Timed(timer.measure(s.seconds(), s.warmup()), model.intraOpThreads());
      } finally {
        timer.close();
      }
    }
  }

  /** The backend's inference face, as {@code bench --compare --inference} times it, on its own thread policy. */
  private static Timed predictCalls(String backend, CheckedSpec spec, WeightSet weights, Path onnx, Settings s)
      throws IOException {
    int batch = spec.training().batchSize();
    ByteBuffer inputs = JavaInference.direct(InferenceBenchmark.randomInputs((int) spec.input().size() * batch, spec.training().seed()));
    try (InferenceModel model = backend.equals(ONNX_RUNTIME) ? OrtSessionModel.load(onnx, spec)
        : Backends.get(backend).inference(spec, weights)) {
      for (int i = 0; i < s.warmup(); i++) {
        model.predict(inputs, batch);
      }
      return new Timed(JavaInference.calls(model, inputs, batch, s.seconds()), model.intraOpThreads(batch));
    }
  }
}
