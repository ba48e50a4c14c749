package dev.rosetta.cli;

import dev.rosetta.data.DataSplit;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Training;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.weights.WeightSet;
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
    name = "parity",
    description = {
      "Train one spec on two backends in lockstep and check the parity contract.",
      "Both start from the same initial weights and see the same batches and dropout masks;"
          + " every row of the contract (docs/parity.md) is printed with its bound. Exit 1 when a row fails."
    })
final class ParityCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Mixin DataOptions data;

  @Option(names = "--steps", defaultValue = "20", description = "N of the 'weights after N steps' row (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--epochs", description = "Epochs to train both backends (default: the spec's).")
  Integer epochs;

  @Mixin TrainingOptions training;

  @Option(names = "--reference", defaultValue = "pytorch", description = "Backend the relative figures are measured against (default ${DEFAULT-VALUE}).")
  String referenceName;

  @Option(names = "--candidate", defaultValue = "tensorflow", description = "Backend checked against the reference (default ${DEFAULT-VALUE}).")
  String candidateName;

  @Option(names = "--strict", description = {
      "Judge every row by its fixed bound alone and skip the noise floor.",
      "By default two more copies of the reference train in lockstep (another intra-op thread count; one-ulp",
      "nudges after every update) and a trajectory row also passes within 3x the larger of their drifts."})
  boolean strict;

  @Option(names = "--seeds", paramLabel = "LIST", split = ",", description = {
      "Run once per seed (initial weights, batch order, dropout masks), e.g. 1-6,42, and end with a",
      "table of the trajectory rows per seed; exit 1 if any run fails."})
  List<String> seeds;

  @Option(names = "--floor-threads", defaultValue = "0", description = "Intra-op threads of the noise floor's thread copy (default: 2 when the reference runs on 1, else 1).")
  int floorThreads;

  @Option(names = "--weights", paramLabel = "CKPT", description = "Start both backends from this checkpoint (any backend's, or an import's) instead of the seeded initialisation: parity of fine-tuning.")
  Path weights;

  @Option(names = "--per-tensor", description = "Also print each tensor's relative L2 after the N steps (every attention parameter on its own).")
  boolean perTensor;

  @Option(names = "--json", description = "End with one JSON object of the figures.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws java.io.IOException {
    PrintWriter out = cmd.commandLine().getOut();
    if (steps <= 0 || (epochs != null && epochs <= 0)) {
      throw new Rosetta.UserInputException("--steps and --epochs must be > 0");
    }
    CheckedSpec base = training.apply(SpecFiles.load(specFile, cmd.commandLine().getErr()), null);
    Backend reference = Backends.get(referenceName);
    Backend candidate = Backends.get(candidateName);
    SpecFiles.requireSupported(reference, base, specFile);
    SpecFiles.requireSupported(candidate, base, specFile);
    DataSplit split = data.load(base);
    WeightSet start = weights == null ? null : Checkpoint.load(weights, base).weights();
    int e = epochs != null ? epochs : base.training().epochs();
    List<Long> runSeeds = seeds == null ? List.of(base.training().seed()) : seedList(seeds);
    List<ParityReport> reports = new ArrayList<>();
    for (long seed : runSeeds) {
      Training t = base.training();
      CheckedSpec spec = base.withTraining(t.withSeed(seed));
      out.printf(Locale.ROOT, "parity %s: %s vs %s, %d epoch%s, batch %d, seed %d, %,d train samples (%s)%n",
          spec.name(), candidate.name(), reference.name(), e, e == 1 ? "" : "s", spec.training().batchSize(),
          spec.training().seed(), split.train().size(), data.describe());
      if (!strict) {
        out.printf(Locale.ROOT, "noise floor: %s against itself on another thread count and with one-ulp nudges, in lockstep%n",
            reference.name());
      }
      out.flush();
      ParityRunner runner =
          new ParityRunner(spec, split.train(), split.test(), reference, candidate).optSteps(steps).optEpochs(e)
              .optNoiseFloor(!strict).optFloorThreads(floorThreads);
      if (start != null) {
        runner.optInitialWeights(start);
      }
      ParityReport report = runner.run();
      if (strict) {
        report = report.strictly();
      }
      out.print(report.toTable());
      if (perTensor) {
        out.print(report.perTensorTable());
      }
      if (json && seeds == null) {
        out.println(report.toJson());
      }
      out.flush();
      reports.add(report);
    }
    boolean pass = reports.stream().allMatch(ParityReport::pass);
    if (seeds != null) {
      out.print(seedTable(runSeeds, reports));
      if (json) {
        out.println("{\"pass\":" + pass + ",\"runs\":["
            + String.join(",", reports.stream().map(ParityReport::toJson).toList()) + "]}");
      }
      out.flush();
    }
    return pass ? Rosetta.OK : Rosetta.CHECK_FAILED;
  }

  /** {@code 1-6,42} as seeds 1, 2, 3, 4, 5, 6, 42; bad ranges are usage errors. */
  static List<Long> seedList(List<String> items) {
    List<Long> out = new ArrayList<>();
    for (String item : items) {
      String s = item.trim();
      try {
        int dash = s.indexOf('-', 1);
        if (dash > 0) {
          long from = Long.parseLong(s.substring(0, dash));
          long to = Long.parseLong(s.substring(dash + 1));
          if (to < from || to - from > 10_000) {
            throw new Rosetta.UserInputException("--seeds: bad range '" + s + "'");
          }
          for (long v = from; v <= to; v++) {
            out.add(v);
          }
        } else {
          out.add(Long.parseLong(s));
        }
      } catch (NumberFormatException ex) {
        throw new Rosetta.UserInputException("--seeds: '" + s + "' is not a seed or a range like 1-6");
      }
    }
    return out;
  }

  /** One line per seed: each trajectory row's value, floor and verdict basis. */
  static String seedTable(List<Long> seeds, List<ParityReport> reports) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%n%-8s %-34s %-34s %-26s %s%n",
        "seed", "per-step loss (floor)", "weights after epoch 1 (floor)", "accuracy pts (floor)", "verdict"));
    for (int i = 0; i < seeds.size(); i++) {
      ParityReport r = reports.get(i);
      List<ParityReport.Check> c = r.checks();
      sb.append(String.format(Locale.ROOT, "%-8d %-34s %-34s %-26s %s%n", seeds.get(i), cell(c.get(3)), cell(c.get(4)),
          c.size() > 5 ? cell(c.get(5)) : "-", r.pass() ? "PASS" : "FAIL"));
    }
    return sb.toString();
  }

  private static String cell(ParityReport.Check c) {
    String floor = c.floor().measured() ? String.format(Locale.ROOT, " (%.1e %s)", c.floor().value(), c.floor().kind().label()) : "";
    return String.format(Locale.ROOT, "%.2e%s %s", c.value(), floor, c.basis().label());
  }
}
