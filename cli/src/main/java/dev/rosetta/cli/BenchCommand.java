package dev.rosetta.cli;

import dev.rosetta.backend.NativeHeap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.data.Batch;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.cli.bench.BatchCycle;
import dev.rosetta.cli.bench.ReferenceLoop;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.Execution;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.weights.WeightSet;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingListener;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.weights.Initializer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "bench",
    description = {
      "Training throughput (samples/s after warm-up, with its spread over six timed windows) and memory of one backend.",
      "With --epochs N it also trains N whole epochs and reports resident memory after each, to show it stays flat.",
      "With --reference it also times a loop written by hand against the backend's framework (DJL on PyTorch, TensorFlow Java on TensorFlow) on the same batches, in alternating windows, and prints Rosetta's speed as a share of it.",
      "With --inference it instead times inference (batch-1 latency p50/p99, batch-256 throughput) on every backend and in ONNX Runtime, in one run.",
      "With --compare it times, in alternating rounds on the same spec, initial weights and batches, Rosetta on every backend, the hand-written DJL and TensorFlow Java loops, and plain PyTorch and Keras from examples/python/plain_bench.py (rows say 'not available' without a Python that has them); with --inference too, inference against ONNX Runtime and plain PyTorch and Keras. It prints each one's median and rounds and the ratios to the plain frameworks.",
      "A spec reading token ids (--data TEXT) is compared in training only, against plain PyTorch (at each --torch-threads count), in samples/s and tokens/s; --inference and --sweep time float inputs only."
    })
final class BenchCommand implements Callable<Integer> {
  private static final double MIB = 1 << 20;

  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Option(names = "--backend", description = "pytorch or tensorflow (training benchmark; required without --inference)."
      + " With --compare: time only this backend's Rosetta rows (and hand-written loop), so no other engine shares the"
      + " process, as when an application trains on one backend; both by default.")
  String backendName;

  @Option(names = "--inference", description = "Time inference on every backend and ONNX Runtime instead of training.")
  boolean inference;

  @Option(names = "--weights", paramLabel = "CKPT", description = "With --inference: weights to time (default: the seeded initialisation; timing does not depend on values).")
  Path weights;

  @Mixin DataOptions data;

  @Mixin TrainingOptions training;

  @Option(names = "--steps", defaultValue = "3000", description = "Timed optimizer steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", defaultValue = "300", description = "Untimed steps first (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--epochs", defaultValue = "0", description = "Then train this many full epochs and track resident memory (default ${DEFAULT-VALUE}: skip).")
  int epochs;

  @Option(names = "--reference", description = "Also time a training loop written by hand against the framework (a DJL loop on PyTorch, a TensorFlow Java graph and session on TensorFlow; dense/relu stacks, cross-entropy, plain SGD) on the same batches.")
  boolean reference;

  @Option(names = "--compare", description = "Time every backend, the hand-written loops and the plain Python frameworks side by side, in alternating rounds.")
  boolean compare;

  @Option(names = "--rounds", defaultValue = "3", description = "With --compare: rounds (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--seconds", defaultValue = "8", description = "With --compare: timed seconds per contender and round (default ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--threads", split = ",", paramLabel = "N[,N...]",
      description = "Intra-op threads for Rosetta's models (default: each backend's thread policy); with --compare, a list times each count.")
  List<Integer> threads;

  @Option(names = "--torch-threads", split = ",", paramLabel = "N[,N...]", defaultValue = "1,2",
      description = "With --compare: the thread counts plain PyTorch runs on; its best is the reference (default ${DEFAULT-VALUE}).")
  List<Integer> torchThreads;

  @Option(names = "--keras-threads", split = ",", paramLabel = "N[,N...]", defaultValue = "1,2",
      description = "With --compare: the thread counts Keras and tf.function run on; the best of them is the reference (default ${DEFAULT-VALUE}).")
  List<Integer> kerasThreads;

  @Option(names = "--python", paramLabel = "PATH",
      description = "With --compare: the Python with torch / tensorflow for the plain-framework rows (default: $ROSETTA_PYTHON, else python3 on the PATH).")
  Path python;

  @Option(names = "--chart", paramLabel = "FILE.png", description = "With --compare: a PNG bar chart of every contender by round (inference adds FILE-latency.png).")
  Path chart;

  @Option(names = "--sweep", description = "Time training (with --inference: predict calls, ONNX Runtime beside the backends) at each --batch-sizes and --widths on each backend (or --backend): samples/s, call p50 and peak memory per point.")
  boolean sweep;

  @Option(names = "--batch-sizes", split = ",", paramLabel = "N[,N...]", defaultValue = "1,2,4,8,16,32,64,128,256,512,1024",
      description = "With --sweep: batch sizes (default ${DEFAULT-VALUE}).")
  List<Integer> batchSizes;

  @Option(names = "--widths", split = ",", paramLabel = "F[,F...]", defaultValue = "1,4,16",
      description = "With --sweep: width factors for hidden dense units and conv filters (default ${DEFAULT-VALUE}).")
  List<Integer> widths;

  @Option(names = "--json", description = "End with one JSON object of the figures.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws java.io.IOException {
    PrintWriter out = cmd.commandLine().getOut();
    if (steps <= 0 || warmup < 0 || epochs < 0) {
      throw new Rosetta.UserInputException("--steps must be > 0, --warmup and --epochs >= 0");
    }
    CheckedSpec spec = SpecFiles.load(specFile, cmd.commandLine().getErr());
    if (threads != null && threads.stream().anyMatch(t -> t < 1)) {
      throw new Rosetta.UserInputException("--threads must be >= 1 (got " + threads + ")");
    }
    if ((inference || sweep) && spec.takesTokens()) {
      throw new Rosetta.UserInputException("bench " + (inference ? "--inference" : "--sweep") + " times float inputs;"
          + " for a model reading token ids, time training (bench --backend B, or bench --compare --data TEXT beside plain"
          + " PyTorch; both print tokens/s) or generation (rosetta generate prints tokens/s)");
    }
    if (compare) {
      if (rounds < 1 || !(seconds > 0) || torchThreads.stream().anyMatch(t -> t < 1) || kerasThreads.stream().anyMatch(t -> t < 1)) {
        throw new Rosetta.UserInputException("--rounds must be >= 1, --seconds > 0, --torch-threads and --keras-threads >= 1");
      }
      spec = training.apply(spec, null);
      WeightSet w = weights != null ? Checkpoint.load(weights, spec).weights() : Initializer.initialize(spec);
      int warm = cmd.commandLine().getParseResult().hasMatchedOption("--warmup") ? warmup : 50;
      List<String> backends = backendName != null ? List.of(Backends.get(backendName).name()) : List.of("pytorch", "tensorflow");
      return new CompareBench(out, json).run(spec, specFile, data, w, new CompareBench.Settings(
          inference, backends, rounds, seconds, warm, threads == null ? List.of() : threads, torchThreads, kerasThreads,
          python, chart));
    }
    if (sweep) {
      if (!(seconds > 0) || batchSizes.stream().anyMatch(b -> b < 1) || widths.stream().anyMatch(w -> w < 1)) {
        throw new Rosetta.UserInputException("--seconds must be > 0, --batch-sizes and --widths >= 1");
      }
      if (inference && threads != null) {
        throw new Rosetta.UserInputException("--sweep --inference times each backend's inference face on its own thread policy;"
            + " fix the count with -Dai.djl.pytorch.num_threads=N or -Drosetta.tensorflow.threads=N (ROSETTA_JAVA_OPTS), not --threads");
      }
      spec = training.apply(spec, null);
      List<String> names = backendName != null ? List.of(Backends.get(backendName).name()) : List.of("pytorch", "tensorflow");
      int warm = cmd.commandLine().getParseResult().hasMatchedOption("--warmup") ? warmup : inference ? 100 : 10;
      double perPoint = cmd.commandLine().getParseResult().hasMatchedOption("--seconds") ? seconds : 2;
      return new SweepBench(out, json).run(spec, new SweepBench.Settings(inference, inference ? null : data.load(spec).train(),
          names, batchSizes, widths, perPoint, warm, threads, chart));
    }
    if (threads != null && threads.size() != 1) {
      throw new Rosetta.UserInputException("--threads takes one count without --compare (got " + threads + ")");
    }
    if (inference) {
      return new InferenceBench(out, json).run(spec, specFile, weights);
    }
    if (backendName == null) {
      throw new Rosetta.UserInputException("bench needs --backend B (or --inference)");
    }
    spec = training.apply(spec, epochs > 0 ? epochs : null);
    Backend backend = Backends.get(backendName);
    SpecFiles.requireSupported(backend, spec, specFile);
    if (reference) {
      List<String> why = ReferenceLoop.unsupported(spec);
      if (!why.isEmpty()) {
        throw new Rosetta.UserInputException(specFile + ": --reference cannot time this spec: " + String.join("; ", why));
      }
    }
    Dataset train = data.load(spec).train();
    int bs = spec.training().batchSize();
    out.printf(Locale.ROOT, "bench %s on %s: batch %d, %d warm-up + %d timed steps, %,d samples (%s)%n",
        spec.name(), backend.name(), bs, warmup, steps, train.size(), data.describe());
    out.flush();
    double samplesPerSecond;
    double referenceSamplesPerSecond = Double.NaN;
    List<Double> windowRates;
    List<Double> rssByEpoch = new ArrayList<>();
    List<Double> javaHeapByEpoch = new ArrayList<>();
    List<Double> cHeapByEpoch = new ArrayList<>();
    int modelThreads;
    Execution execution = threads == null ? Execution.DEFAULT : Execution.threads(threads.get(0));
    try (TrainableModel model = backend.create(spec, Initializer.initialize(spec), execution);
        BatchCycle cycle = new BatchCycle(train, spec.training())) {
      long[] step = {0};
      Timer rosetta = new Timer(b -> model.trainStep(b, ++step[0]), cycle);
      try (ReferenceLoop loop = reference ? referenceLoop(backend, spec, model.intraOpThreads()) : null;
          BatchCycle sameBatches = reference ? new BatchCycle(train, spec.training()) : null) {
        List<Timer> timers = new ArrayList<>(List.of(rosetta));
        if (reference) {
          timers.add(new Timer(loop::trainStep, sameBatches));
        }
        for (Timer timer : timers) {
          timer.warmUp(warmup);
        }
        // Timed in windows, alternating when there are two loops: a machine whose speed drifts
        // (a shared host) shows as spread between windows and slows both loops alike.
        int windows = Math.min(WINDOWS, steps);
        for (int w = 0; w < windows; w++) {
          int n = steps / windows + (w < steps % windows ? 1 : 0);
          for (Timer timer : timers) {
            timer.window(n);
          }
        }
        if (reference) {
          referenceSamplesPerSecond = timers.get(1).samplesPerSecond();
        }
      }
      samplesPerSecond = rosetta.samplesPerSecond();
      windowRates = rosetta.windowRates();
      modelThreads = model.intraOpThreads();
      out.printf(Locale.ROOT, "training throughput: %,.0f samples/s (%.2f s for %,d samples; %s; %d intra-op thread%s)%n",
          samplesPerSecond, rosetta.seconds(), rosetta.samples, rosetta.spread(), modelThreads, modelThreads == 1 ? "" : "s");
      if (spec.takesTokens()) {
        out.printf(Locale.ROOT, "  = %,.0f tokens/s (sequences of %d tokens)%n", samplesPerSecond * spec.input().dim(0), spec.input().dim(0));
      }
      if (reference) {
        out.printf(Locale.ROOT, "%s: %,.0f samples/s on the same batches (Rosetta at %.0f%% of it)%n",
            ReferenceLoop.BY_BACKEND.get(backend.name()).label(), referenceSamplesPerSecond,
            100 * samplesPerSecond / referenceSamplesPerSecond);
      }
      out.flush();
      if (epochs > 0) {
        new TrainingLoop(spec, train, null)
            .addListener(
                new TrainingListener() {
                  @Override
                  public void onEpoch(EpochEvent e) {
                    double rss = ProcessMemory.rssMb();
                    rssByEpoch.add(rss);
                    double javaHeap = Runtime.getRuntime().totalMemory() / MIB;
                    Optional<NativeHeap.Stats> cHeap = NativeHeap.stats();
                    javaHeapByEpoch.add(javaHeap);
                    cHeap.ifPresent(h -> cHeapByEpoch.add(h.inUse() / MIB));
                    // Resident memory is mostly the Java heap (grown on demand up to -Xmx) and the
                    // C heap that tensors come from; both are shown, so growth can be told apart.
                    out.printf(Locale.ROOT, "epoch %d/%d  %,.0f samples/s  rss %.1f MB  (Java heap %.1f MB%s)%n",
                        e.epoch(), e.epochs(), e.samplesPerSecond(), rss, javaHeap,
                        cHeap.map(h -> String.format(Locale.ROOT, "; C heap %.1f MB in use, %.1f MB free",
                            h.inUse() / MIB, h.heldFree() / MIB)).orElse(""));
                    out.flush();
                  }
                })
            .run(model, step[0]);
      }
    }
    double peak = ProcessMemory.peakRssMb();
    double growth = rssByEpoch.size() >= 2 ? rssByEpoch.get(rssByEpoch.size() - 1) - rssByEpoch.get(Math.min(1, rssByEpoch.size() - 1)) : Double.NaN;
    out.printf(Locale.ROOT, "peak rss: %.1f MB%n", peak);
    if (rssByEpoch.size() >= 2) {
      out.printf(Locale.ROOT, "rss growth from epoch 2 to %d: %+.1f MB%n", rssByEpoch.size(), growth);
    }
    if (json) {
      ObjectNode o = Json.object();
      o.put("backend", backend.name());
      o.put("batch_size", bs);
      o.put("threads", modelThreads);
      o.put("steps", steps);
      Json.put(o, "samples_per_second", samplesPerSecond);
      if (spec.takesTokens()) {
        Json.put(o, "tokens_per_second", samplesPerSecond * spec.input().dim(0));
      }
      ArrayNode windowsNode = o.putArray("window_samples_per_second");
      windowRates.forEach(r -> windowsNode.add(Math.round(r)));
      if (reference) {
        Json.put(o, "reference_samples_per_second", referenceSamplesPerSecond);
      }
      Json.put(o, "peak_rss_mb", peak);
      ArrayNode a = o.putArray("rss_mb_by_epoch");
      rssByEpoch.forEach(a::add);
      javaHeapByEpoch.forEach(o.putArray("java_heap_mb_by_epoch")::add);
      cHeapByEpoch.forEach(o.putArray("c_heap_in_use_mb_by_epoch")::add);
      Json.put(o, "rss_growth_mb", growth);
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }

  private static final int WINDOWS = 6;

  /** The hand-written loop of the backend's framework, on the model's thread count. */
  static ReferenceLoop referenceLoop(Backend backend, CheckedSpec spec, int threads) {
    ReferenceLoop.Maker maker = ReferenceLoop.BY_BACKEND.get(backend.name());
    if (maker == null) {
      throw new Rosetta.UserInputException("--reference: no hand-written loop for backend " + backend.name());
    }
    return maker.create(spec, Initializer.initialize(spec), threads);
  }

  /** Times training steps on batches from one cycle, window by window. */
  private static final class Timer {
    private final Consumer<Batch> step;
    private final BatchCycle batches;
    private final List<Double> windowRates = new ArrayList<>();
    private long samples;
    private long nanos;

    Timer(Consumer<Batch> step, BatchCycle batches) {
      this.step = step;
      this.batches = batches;
    }

    void warmUp(int steps) {
      for (int i = 0; i < steps; i++) {
        step.accept(batches.next());
      }
    }

    void window(int steps) {
      long n = 0;
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        Batch b = batches.next();
        step.accept(b);
        n += b.size();
      }
      long elapsed = System.nanoTime() - start;
      windowRates.add(n / (elapsed / 1e9));
      samples += n;
      nanos += elapsed;
    }

    double seconds() {
      return nanos / 1e9;
    }

    double samplesPerSecond() {
      return samples / seconds();
    }

    List<Double> windowRates() {
      return List.copyOf(windowRates);
    }

    /** The spread over windows, e.g. "6 windows: min 44,120, median 51,300, max 57,980". */
    String spread() {
      List<Double> r = new ArrayList<>(windowRates);
      Collections.sort(r);
      int k = r.size();
      double median = k % 2 == 1 ? r.get(k / 2) : (r.get(k / 2 - 1) + r.get(k / 2)) / 2;
      return String.format(Locale.ROOT, "%d window%s: min %,.0f, median %,.0f, max %,.0f", k, k == 1 ? "" : "s", r.get(0), median, r.get(k - 1));
    }
  }
}
