package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.cli.bench.BatchCycle;
import dev.rosetta.cli.bench.JavaTraining;
import dev.rosetta.cli.bench.Measurement;
import dev.rosetta.cli.bench.SideBySide;
import dev.rosetta.cli.bench.Widened;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.weights.Initializer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code rosetta bench SPEC --sweep}: how training cost grows with the batch size and the
 * model's width, on each backend. Every point is a fresh model (the widened spec at that batch
 * size) timed after a warm-up; the backends take turns at each point, so a drifting machine
 * slows them alike. Peak resident memory is per point: the kernel's high-water mark is reset
 * before each one (Linux {@code /proc/self/clear_refs}).
 */
final class SweepBench {
  private final PrintWriter out;
  private final boolean json;

  SweepBench(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  /** One point: a backend, a width and a batch size. */
  record Point(String backend, int width, int batch, int threads, long parameters, Measurement m, double peakRssMb,
      double rssBeforeMb) {}

  int run(CheckedSpec spec, Dataset train, List<String> backends, List<Integer> batches, List<Integer> widths,
      double seconds, int warmup, List<Integer> threads, Path chart) throws IOException {
    out.printf(Locale.ROOT, "sweep %s: batch sizes %s, widths %s, %s; %.1f s per point after %d warm-up steps; load %.2f%n",
        spec.name(), batches, widths, String.join(", ", backends), seconds, warmup, SideBySide.loadAverage()[0]);
    out.printf(Locale.ROOT, "%-11s %5s %6s %7s %11s %12s %14s %14s%n", "backend", "width", "batch", "threads", "parameters",
        "samples/s", "peak rss MB", "rss before MB");
    out.flush();
    List<Point> points = new ArrayList<>();
    for (int width : widths) {
      CheckedSpec wide = Widened.of(spec, width);
      long parameters = wide.params().stream().filter(p -> p.trainable()).mapToLong(p -> p.shape().size()).sum();
      for (int batch : batches) {
        CheckedSpec s = wide.withTraining(wide.training().withLoop(1, batch, wide.training().seed(), wide.training().shuffle()));
        for (String name : backends) {
          Backend backend = Backends.get(name);
          ProcessMemory.resetPeak();
          double before = ProcessMemory.rssMb();
          Execution e = threads == null || threads.isEmpty() ? Execution.DEFAULT : Execution.threads(threads.get(0));
          Measurement m;
          int used;
          try (TrainableModel model = backend.create(s, Initializer.initialize(s), e)) {
            long[] step = {0};
            used = model.intraOpThreads();
            JavaTraining timer = new JavaTraining(name, used, b -> {
              model.trainStep(b, ++step[0]);
              return b.size();
            }, new BatchCycle(train, s.training()), null);
            try {
              m = timer.measure(seconds, warmup);
            } finally {
              timer.close();
            }
          }
          Point p = new Point(name, width, batch, used, parameters, m, ProcessMemory.peakRssMb(), before);
          points.add(p);
          out.printf(Locale.ROOT, "%-11s %4dx %6d %7d %,11d %,12.0f %14.1f %14.1f%n", name, width, batch, used, parameters,
              m.samplesPerSecond(), p.peakRssMb(), before);
          out.flush();
        }
      }
    }
    out.printf(Locale.ROOT, "load at the end: %.2f%n", SideBySide.loadAverage()[0]);
    if (chart != null) {
      List<ReportCharts.Line> lines = new ArrayList<>();
      for (String b : backends) {
        for (int w : widths) {
          double[] x = batches.stream().mapToDouble(Integer::doubleValue).toArray();
          double[] y = batches.stream().mapToDouble(batch -> points.stream()
              .filter(p -> p.backend().equals(b) && p.width() == w && p.batch() == batch).findFirst()
              .map(p -> p.m().samplesPerSecond()).orElse(Double.NaN)).toArray();
          lines.add(new ReportCharts.Line(b + " " + w + "x", x, y));
        }
      }
      ReportCharts.logLines(chart, spec.name() + ": training samples/s by batch size and width", "batch size", "samples/s", lines);
    }
    if (json) {
      ObjectNode o = Json.object();
      o.put("spec", spec.name());
      o.put("seconds", seconds);
      ArrayNode a = o.putArray("points");
      for (Point p : points) {
        ObjectNode n = a.addObject();
        n.put("backend", p.backend());
        n.put("width", p.width());
        n.put("batch_size", p.batch());
        n.put("threads", p.threads());
        n.put("parameters", p.parameters());
        Json.put(n, "samples_per_second", p.m().samplesPerSecond());
        Json.put(n, "peak_rss_mb", p.peakRssMb());
        Json.put(n, "rss_before_mb", p.rssBeforeMb());
      }
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }
}
