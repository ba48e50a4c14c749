package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.cli.bench.BatchCycle;
import dev.rosetta.cli.bench.Contender;
import dev.rosetta.cli.bench.JavaInference;
import dev.rosetta.cli.bench.JavaTraining;
import dev.rosetta.cli.bench.Measurement;
import dev.rosetta.cli.bench.PythonBench;
import dev.rosetta.cli.bench.ReferenceLoop;
import dev.rosetta.cli.bench.SideBySide;
import dev.rosetta.cli.bench.SideBySide.Metric;
import dev.rosetta.cli.bench.SideBySide.Ratio;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.IdxReader;
import dev.rosetta.engine.onnxruntime.OnnxRuntimeModel;
import dev.rosetta.engine.onnxruntime.OrtSessionModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Safetensors;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code rosetta bench SPEC --compare}: Rosetta on each backend, the loops written by hand
 * against each framework, ONNX Runtime (inference) and the plain Python frameworks, timed in
 * alternating rounds on the same spec, initial weights and batches; each contender's median and
 * rounds, and the ratios the performance targets are stated in, each round's ratio taken within
 * that round. A spec that reads token ids is timed in training against plain PyTorch only (the
 * Keras models and the hand-written loops have no embedding or attention), and every row also
 * gives tokens/s.
 */
final class CompareBench {
  /** Samples per call when timing inference throughput. */
  static final int INFER_BATCH = 256;

  private final PrintWriter out;
  private final boolean json;

  CompareBench(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  /** What to run and how long. */
  record Settings(
      boolean inference, List<String> backends, int rounds, double seconds, int warmup, List<Integer> threads,
      List<Integer> pythonTorchThreads, List<Integer> pythonKerasThreads, Path python, Path chart) {}

  int run(CheckedSpec spec, Path specFile, DataOptions data, WeightSet weights, Settings s) throws IOException {
    Path tmp = Files.createTempDirectory("rosetta-compare");
    List<Contender> contenders = new ArrayList<>();
    try {
      Path specCopy = tmp.resolve(spec.name() + ".json");
      Files.writeString(specCopy, SpecJson.write(spec), StandardCharsets.UTF_8);
      // The Python side starts from these very weights, whatever drew them (--weights included).
      Path init = tmp.resolve("init.safetensors");
      Safetensors.write(init, weights, Map.of());
      PythonBench.Python python = PythonBench.locate(s.python(), pythonScript(), specCopy, pythonData(spec, data, tmp), init);
      String mode = s.inference() ? "inference" : "training";
      out.printf(Locale.ROOT, "side by side: %s %s, batch %d%s, %d rounds of %.1f s per contender (%s); load %s%n",
          spec.name(), mode, s.inference() ? INFER_BATCH : spec.training().batchSize(),
          spec.takesTokens() ? " sequences of " + spec.input().dim(0) + " tokens" : "", s.rounds(), s.seconds(),
          data.describe(), load(SideBySide.loadAverage()));
      out.flush();
      if (s.inference()) {
        inferenceContenders(spec, weights, s, python, tmp, contenders);
      } else {
        trainingContenders(spec, data, weights, s, python, contenders);
      }
      SideBySide.Results r = SideBySide.run(contenders, s.rounds(), s.seconds(), s.warmup(), line -> {
        out.println(line);
        out.flush();
      });
      List<SideBySide.RatioSeries> ratios = r.ratios(s.inference() ? INFERENCE_RATIOS : TRAINING_RATIOS);
      print(r, ratios, s.inference(), tokensPerSample(spec));
      if (s.chart() != null) {
        chart(r, spec, s);
      }
      if (json) {
        out.println(Json.line(toJson(spec, r, ratios, s)));
      }
      out.flush();
      return Rosetta.OK;
    } finally {
      for (Contender c : contenders) {
        c.close();
      }
      deleteTree(tmp);
    }
  }

  /** The ratios of issue 12's targets; NaN targets are shown for information. */
  static final List<Ratio> TRAINING_RATIOS = List.of(
      new Ratio("PyTorch backend / plain torch (best thread count)", "rosetta-pytorch", List.of("torch"), Metric.TRAIN, 1.0),
      new Ratio("TensorFlow backend / best of keras-fit, tf-function", "rosetta-tensorflow", List.of("keras-fit", "tf-function"), Metric.TRAIN, 1.0),
      new Ratio("TensorFlow backend / plain torch (best thread count)", "rosetta-tensorflow", List.of("torch"), Metric.TRAIN, 0.9),
      new Ratio("PyTorch backend / hand-written DJL loop", "rosetta-pytorch", List.of("djl-loop"), Metric.TRAIN, Double.NaN),
      new Ratio("TensorFlow backend / hand-written TF Java loop", "rosetta-tensorflow", List.of("tf-java-loop"), Metric.TRAIN, Double.NaN),
      new Ratio("TensorFlow backend / PyTorch backend", "rosetta-tensorflow", List.of("rosetta-pytorch"), Metric.TRAIN, Double.NaN));

  static final List<Ratio> INFERENCE_RATIOS = List.of(
      new Ratio("PyTorch backend / plain torch, batch " + INFER_BATCH, "rosetta-pytorch", List.of("torch"), Metric.THROUGHPUT, 1.0),
      new Ratio("PyTorch backend / plain torch, batch-1 p50", "rosetta-pytorch", List.of("torch"), Metric.LATENCY, 1.0),
      new Ratio("PyTorch backend / ONNX Runtime, batch-1 p50", "rosetta-pytorch", List.of("onnxruntime"), Metric.LATENCY, 0.5),
      new Ratio("TensorFlow backend / plain torch, batch " + INFER_BATCH, "rosetta-tensorflow", List.of("torch"), Metric.THROUGHPUT, 1.0),
      new Ratio("TensorFlow backend / plain torch, batch-1 p50", "rosetta-tensorflow", List.of("torch"), Metric.LATENCY, 1.0),
      new Ratio("TensorFlow backend / ONNX Runtime, batch-1 p50", "rosetta-tensorflow", List.of("onnxruntime"), Metric.LATENCY, 0.5),
      new Ratio("TensorFlow backend / best of keras, tf-function, batch " + INFER_BATCH, "rosetta-tensorflow", List.of("keras", "tf-function"), Metric.THROUGHPUT, Double.NaN));

  private void trainingContenders(
      CheckedSpec spec, DataOptions data, WeightSet init, Settings s, PythonBench.Python python, List<Contender> into) {
    Dataset train = data.load(spec).train();
    for (String name : s.backends()) {
      Backend backend = Backends.get(name);
      if (backend.unsupported(spec).isEmpty()) {
        addRosetta(backend, spec, train, init, s, into);
      }
      // Plain PyTorch, every backend's reference, after the first backend's rows; Keras and
      // tf.function, TensorFlow's only, last.
      if (name.equals(s.backends().get(0))) {
        for (int t : s.pythonTorchThreads()) {
          into.add(new PythonBench(python, "torch", t, "train", INFER_BATCH, s.pythonTorchThreads().size() > 1));
        }
      }
    }
    // plain_bench.py's Keras models have no embedding or attention: plain PyTorch is the reference.
    if (spec.takesTokens() || !s.backends().contains("tensorflow")) {
      return;
    }
    for (String fw : List.of("keras-fit", "tf-function")) {
      for (int t : s.pythonKerasThreads()) {
        into.add(new PythonBench(python, fw, t, "train", INFER_BATCH, s.pythonKerasThreads().size() > 1));
      }
    }
  }

  /**
   * Rosetta on one backend at each thread count asked for, each followed by the hand-written
   * loop where the spec has one.
   */
  private static void addRosetta(
      Backend backend, CheckedSpec spec, Dataset train, WeightSet init, Settings s, List<Contender> into) {
    String name = backend.name();
    for (Execution e : executions(s.threads())) {
      TrainableModel m = backend.create(spec, init, e);
      long[] step = {0};
      into.add(labelled(new JavaTraining("rosetta-" + name, m.intraOpThreads(), b -> {
        m.trainStep(b, ++step[0]);
        return b.size();
      }, new BatchCycle(train, spec.training()), m), s.threads().size() > 1));
      if (ReferenceLoop.unsupported(spec).isEmpty()) {
        ReferenceLoop loop = ReferenceLoop.BY_BACKEND.get(name).create(spec, init, m.intraOpThreads());
        String loopName = name.equals("pytorch") ? "djl-loop" : "tf-java-loop";
        into.add(labelled(new JavaTraining(loopName, m.intraOpThreads(), b -> {
          loop.trainStep(b);
          return b.size();
        }, new BatchCycle(train, spec.training()), loop), s.threads().size() > 1));
      }
    }
  }

  private void inferenceContenders(
      CheckedSpec spec, WeightSet weights, Settings s, PythonBench.Python python, Path tmp, List<Contender> into)
      throws IOException {
    long seed = spec.training().seed();
    for (String name : s.backends()) {
      Backend backend = Backends.get(name);
      if (!backend.unsupported(spec).isEmpty()) {
        continue;
      }
      InferenceModel m = backend.inference(spec, weights);
      into.add(new JavaInference("rosetta-" + name, m.intraOpThreads(INFER_BATCH), m, spec.input(), INFER_BATCH, seed));
    }
    Path onnx = tmp.resolve("model.onnx");
    OnnxExport.export(spec, weights, Map.of(), onnx);
    // ONNX Runtime used directly is the reference; Rosetta's ONNX face through DJL beside it.
    into.add(new JavaInference("onnxruntime-djl", 0, OnnxRuntimeModel.load(onnx, spec, 0), spec.input(), INFER_BATCH, seed));
    into.add(new JavaInference("onnxruntime", 0, OrtSessionModel.load(onnx, spec), spec.input(), INFER_BATCH, seed));
    for (int t : s.pythonTorchThreads()) {
      into.add(new PythonBench(python, "torch", t, "infer", INFER_BATCH, s.pythonTorchThreads().size() > 1));
    }
    if (!s.backends().contains("tensorflow")) {
      return;
    }
    for (String fw : List.of("keras", "tf-function")) {
      for (int t : s.pythonKerasThreads()) {
        into.add(new PythonBench(python, fw, t, "infer", INFER_BATCH, s.pythonKerasThreads().size() > 1));
      }
    }
  }

  private static List<Execution> executions(List<Integer> threads) {
    if (threads.isEmpty()) {
      return List.of(Execution.DEFAULT);
    }
    return threads.stream().map(Execution::threads).toList();
  }

  /** A Java contender that runs on several thread counts carries its count in its label. */
  private static Contender labelled(JavaTraining c, boolean several) {
    if (!several) {
      return c;
    }
    return new Contender() {
      @Override
      public String name() {
        return c.name();
      }

      @Override
      public int threads() {
        return c.threads();
      }

      @Override
      public String label() {
        return c.name() + " (" + c.threads() + (c.threads() == 1 ? " thread)" : " threads)");
      }

      @Override
      public Measurement measure(double seconds, int warmup) {
        return c.measure(seconds, warmup);
      }

      @Override
      public void close() {
        c.close();
      }
    };
  }

  /**
   * @param tokens tokens per sample of a spec reading token ids (a tokens/s column follows
   *     samples/s), else 0
   */
  private void print(SideBySide.Results r, List<SideBySide.RatioSeries> ratios, boolean inference, int tokens) {
    out.println();
    out.printf(Locale.ROOT, "%-26s %7s  %12s%s  %-40s%s%n", "contender", "threads", inference ? "batch-256/s" : "samples/s",
        tokens > 0 ? String.format(Locale.ROOT, "  %12s", "tokens/s") : "", "rounds (samples/s)",
        inference ? "  batch-1 p50 ms (rounds)" : "");
    for (Contender c : r.contenders()) {
      if (r.unavailable().containsKey(c)) {
        out.printf(Locale.ROOT, "%-26s %7s  %12s%s  not available: %s%n", c.label(), threadText(c), "-",
            tokens > 0 ? String.format(Locale.ROOT, "  %12s", "-") : "", r.unavailable().get(c));
        continue;
      }
      List<Measurement> m = r.rounds().get(c);
      List<Double> rates = m.stream().map(Measurement::samplesPerSecond).toList();
      String latency = "";
      if (inference) {
        List<Double> p50 = m.stream().map(Measurement::p50Millis).toList();
        latency = String.format(Locale.ROOT, "  %.3f (%s)", SideBySide.median(p50), join(p50, "%.3f"));
      }
      out.printf(Locale.ROOT, "%-26s %7s  %,12.0f%s  %-40s%s%n", c.label(), threadText(c), SideBySide.median(rates),
          tokens > 0 ? String.format(Locale.ROOT, "  %,12.0f", SideBySide.median(rates) * tokens) : "", join(rates, "%,.0f"),
          latency);
    }
    out.println();
    out.printf(Locale.ROOT, "%-58s %6s  %6s  %-28s%n", "ratio (each round's own, then the median)", "target", "median", "rounds");
    for (SideBySide.RatioSeries rs : ratios) {
      double target = rs.ratio().target();
      out.printf(Locale.ROOT, "%-58s %6s  %6.2f  %-28s %s%n", rs.ratio().label(),
          Double.isNaN(target) ? "-" : String.format(Locale.ROOT, "%.2f", target), SideBySide.median(rs.perRound()),
          join(rs.perRound(), "%.2f"), Double.isNaN(target) ? "" : rs.met() ? "met" : "NOT MET");
    }
    out.printf(Locale.ROOT, "load (1/5/15 min) before each round and at the end: %s%n",
        String.join("; ", r.loads().stream().map(CompareBench::load).toList()));
  }

  /** The tokens a sample holds, for tokens/s: its sequence length for a spec reading token ids, else 0. */
  private static int tokensPerSample(CheckedSpec spec) {
    return spec.takesTokens() ? spec.input().dim(0) : 0;
  }

  private static String threadText(Contender c) {
    return c.threads() > 0 ? Integer.toString(c.threads()) : "default";
  }

  private static String join(List<Double> values, String format) {
    return String.join(" / ", values.stream().map(v -> String.format(Locale.ROOT, format, v)).toList());
  }

  private static String load(double[] l) {
    return String.format(Locale.ROOT, "%.2f %.2f %.2f", l[0], l[1], l[2]);
  }

  private void chart(SideBySide.Results r, CheckedSpec spec, Settings s) throws IOException {
    List<Contender> ran = r.contenders().stream().filter(c -> r.rounds().containsKey(c)).toList();
    List<String> labels = ran.stream().map(Contender::label).toList();
    int rounds = s.rounds();
    List<String> series = new ArrayList<>();
    double[][] rates = new double[rounds][ran.size()];
    double[][] p50 = new double[rounds][ran.size()];
    for (int k = 0; k < rounds; k++) {
      series.add("round " + (k + 1));
      for (int i = 0; i < ran.size(); i++) {
        List<Measurement> m = r.rounds().get(ran.get(i));
        rates[k][i] = k < m.size() ? m.get(k).samplesPerSecond() : Double.NaN;
        p50[k][i] = k < m.size() ? m.get(k).p50Millis() : Double.NaN;
      }
    }
    String what = s.inference() ? "inference, batch " + INFER_BATCH : "training, batch " + spec.training().batchSize();
    ReportCharts.groupedBars(s.chart(), spec.name() + " " + what + ": samples/s by round", "", "samples/s", labels, series, rates);
    if (s.inference()) {
      String name = s.chart().getFileName().toString();
      Path latency = s.chart().resolveSibling(name.replaceFirst("(\\.png)?$", "-latency.png"));
      ReportCharts.groupedBars(latency, spec.name() + " inference: batch-1 p50 latency by round", "", "ms", labels, series, p50);
    }
  }

  private static ObjectNode toJson(CheckedSpec spec, SideBySide.Results r, List<SideBySide.RatioSeries> ratios, Settings s) {
    ObjectNode o = Json.object();
    o.put("spec", spec.name());
    o.put("mode", s.inference() ? "inference" : "training");
    o.put("batch_size", s.inference() ? INFER_BATCH : spec.training().batchSize());
    int tokens = tokensPerSample(spec);
    if (tokens > 0) {
      o.put("sequence_length", tokens);
    }
    o.put("rounds", s.rounds());
    o.put("seconds", s.seconds());
    ArrayNode loads = o.putArray("load_average");
    r.loads().forEach(l -> loads.add(l[0]));
    ArrayNode cs = o.putArray("contenders");
    for (Contender c : r.contenders()) {
      ObjectNode n = cs.addObject();
      n.put("name", c.name());
      n.put("label", c.label());
      n.put("threads", c.threads());
      if (r.unavailable().containsKey(c)) {
        n.put("available", false);
        n.put("reason", r.unavailable().get(c));
        continue;
      }
      n.put("available", true);
      List<Measurement> m = r.rounds().get(c);
      List<Double> rates = m.stream().map(Measurement::samplesPerSecond).toList();
      Json.put(n, "samples_per_second", SideBySide.median(rates));
      ArrayNode a = n.putArray("samples_per_second_by_round");
      rates.forEach(v -> a.add(Math.round(v)));
      if (tokens > 0) {
        Json.put(n, "tokens_per_second", SideBySide.median(rates) * tokens);
        ArrayNode t = n.putArray("tokens_per_second_by_round");
        rates.forEach(v -> t.add(Math.round(v * tokens)));
      }
      ArrayNode w = n.putArray("window_samples_per_second_by_round");
      m.forEach(x -> {
        ArrayNode row = w.addArray();
        x.windowRates().forEach(v -> row.add(Math.round(v)));
      });
      if (s.inference()) {
        List<Double> p50 = m.stream().map(Measurement::p50Millis).toList();
        Json.put(n, "p50_ms", SideBySide.median(p50));
        ArrayNode p = n.putArray("p50_ms_by_round");
        p50.forEach(p::add);
        ArrayNode p99 = n.putArray("p99_ms_by_round");
        m.forEach(x -> p99.add(x.p99Millis()));
      }
    }
    ArrayNode rs = o.putArray("ratios");
    for (SideBySide.RatioSeries x : ratios) {
      ObjectNode n = rs.addObject();
      n.put("ratio", x.ratio().label());
      n.put("metric", x.ratio().metric().name().toLowerCase(Locale.ROOT));
      Json.put(n, "target", x.ratio().target());
      Json.put(n, "median", SideBySide.median(x.perRound()));
      ArrayNode a = n.putArray("by_round");
      x.perRound().forEach(a::add);
      if (!Double.isNaN(x.ratio().target())) {
        n.put("met", x.met());
      }
    }
    return o;
  }

  /** examples/python/plain_bench.py beside the jar this runs from, or under the working directory. */
  private static Path pythonScript() {
    Path jar = null;
    try {
      jar = Path.of(CompareBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // fall back to the working directory
    }
    return PythonBench.findScript(jar, Path.of(""));
  }

  /**
   * What plain_bench.py reads as --data. A spec reading token ids: the text file or folder given
   * with --data. Otherwise an IDX folder: --data when it is one, else the embedded subset written
   * out into {@code tmp}. Anything else (CSV) leaves the Python rows saying why they cannot run.
   */
  private static PythonBench.Data pythonData(CheckedSpec spec, DataOptions data, Path tmp) throws IOException {
    if (data.classes != null || data.trainSamples != null) {
      return PythonBench.Data.unreadable("plain_bench.py trains on the whole training set; --classes and --train-samples"
          + " would give it other batches than the Java rows");
    }
    boolean table = data.data != null && (data.data.toString().endsWith(".csv") || Files.exists(data.data.resolve("train.csv")));
    if (spec.takesTokens()) {
      return data.data != null && !table
          ? PythonBench.Data.of(data.data.toAbsolutePath())
          : PythonBench.Data.unreadable("plain_bench.py reads a token spec's data as text (a file or a folder of files);"
              + " --data is " + (table ? "CSV of token ids" : "not given"));
    }
    if (data.data != null) {
      return Files.isDirectory(data.data) && !table
          ? PythonBench.Data.of(data.data.toAbsolutePath())
          : PythonBench.Data.unreadable("plain_bench.py reads IDX folders (MNIST layout); --data is not one");
    }
    Path dir = Files.createDirectories(tmp.resolve("fashion-mnist-subset"));
    for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz")) {
      try (InputStream in = IdxReader.class.getResourceAsStream("/dev/rosetta/data/fashion-mnist-subset/" + f)) {
        if (in == null) {
          return PythonBench.Data.unreadable("the embedded Fashion-MNIST subset is not on the class path; give --data");
        }
        Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return PythonBench.Data.of(dir);
  }

  static void deleteTree(Path dir) throws IOException {
    try (var s = Files.walk(dir)) {
      List<Path> all = new ArrayList<>(s.toList());
      Collections.reverse(all);
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    }
  }
}
