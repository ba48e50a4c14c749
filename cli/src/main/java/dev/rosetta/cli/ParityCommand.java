package dev.rosetta.cli;

import dev.rosetta.data.DataSplit;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import java.io.PrintWriter;
import java.nio.file.Path;
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

  @Option(names = "--floor-threads", defaultValue = "0", description = "Intra-op threads of the noise floor's thread copy (default: 2 when the reference runs on 1, else 1).")
  int floorThreads;

  @Option(names = "--json", description = "End with one JSON object of the figures.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() {
    PrintWriter out = cmd.commandLine().getOut();
    if (steps <= 0 || (epochs != null && epochs <= 0)) {
      throw new Rosetta.UserInputException("--steps and --epochs must be > 0");
    }
    CheckedSpec spec = training.apply(SpecFiles.load(specFile, cmd.commandLine().getErr()), null);
    Backend reference = Backends.get(referenceName);
    Backend candidate = Backends.get(candidateName);
    SpecFiles.requireSupported(reference, spec, specFile);
    SpecFiles.requireSupported(candidate, spec, specFile);
    DataSplit split = data.load(spec);
    int e = epochs != null ? epochs : spec.training().epochs();
    out.printf(Locale.ROOT, "parity %s: %s vs %s, %d epoch%s, batch %d, seed %d, %,d train samples (%s)%n",
        spec.name(), candidate.name(), reference.name(), e, e == 1 ? "" : "s", spec.training().batchSize(),
        spec.training().seed(), split.train().size(), data.describe());
    if (!strict) {
      out.printf(Locale.ROOT, "noise floor: %s against itself on another thread count and with one-ulp nudges, in lockstep%n",
          reference.name());
    }
    out.flush();
    ParityReport report =
        new ParityRunner(spec, split.train(), split.test(), reference, candidate).optSteps(steps).optEpochs(e)
            .optNoiseFloor(!strict).optFloorThreads(floorThreads).run();
    if (strict) {
      report = report.strictly();
    }
    out.print(report.toTable());
    if (json) {
      out.println(report.toJson());
    }
    out.flush();
    return report.pass() ? Rosetta.OK : Rosetta.CHECK_FAILED;
  }
}
