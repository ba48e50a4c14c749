package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.data.DataSplit;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.checkpoint.CheckpointWriter;
import dev.rosetta.train.MetricsLog;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingDivergedException;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "train",
    description = "Train a spec on one backend; writes OUT/checkpoint.safetensors, OUT/metrics.jsonl, OUT/spec.json.")
final class TrainCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Option(names = "--backend", required = true, description = "pytorch or tensorflow.")
  String backendName;

  @Mixin DataOptions data;

  @Option(names = "--epochs", description = "Override training.epochs.")
  Integer epochs;

  @Mixin TrainingOptions training;

  @Option(names = "--weights", paramLabel = "CKPT", description = "Start from this checkpoint (any backend's) instead of the seeded initialisation: fine-tuning.")
  Path weights;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<spec name>-<backend>).")
  Path out;

  @Option(names = "--save-init", description = "Also write OUT/init.safetensors, the weights before step 1.")
  boolean saveInit;

  @Option(names = "--json", description = "End with one JSON object of the results.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = cmd.commandLine().getOut();
    PrintWriter stderr = cmd.commandLine().getErr();
    CheckedSpec spec = training.apply(SpecFiles.load(specFile, stderr), epochs);
    Backend backend = Backends.get(backendName);
    SpecFiles.requireSupported(backend, spec, specFile);
    DataSplit split = data.load(spec);
    WeightSet init;
    long firstStep = 0;
    if (weights != null) {
      Checkpoint.Loaded loaded = Checkpoint.load(weights, spec);
      init = loaded.weights();
      firstStep = loaded.step();
    } else {
      init = Initializer.initialize(spec);
    }
    Path dir = out != null ? out : Path.of("runs", spec.name() + "-" + backend.name());
    Files.createDirectories(dir);
    AtomicFile.writeString(dir.resolve("spec.json"), SpecJson.write(spec));
    if (saveInit) {
      Checkpoint.save(dir.resolve("init.safetensors"), spec, init, Provenance.initial(backend, spec));
    }
    Path ckpt = dir.resolve("checkpoint.safetensors");
    stdout.printf(Locale.ROOT, "training %s on %s: %d epochs, batch %d, seed %d, %,d train / %s test samples (%s)%n",
        spec.name(), backend.name(), spec.training().epochs(), spec.training().batchSize(), spec.training().seed(),
        split.train().size(), split.test() == null ? "no" : String.format(Locale.ROOT, "%,d", split.test().size()), data.describe());
    stdout.flush();
    CheckpointWriter writer = new CheckpointWriter(ckpt, spec, backend);
    TrainingResult result;
    try (MetricsLog metrics = new MetricsLog(dir.resolve("metrics.jsonl"));
        TrainableModel model = backend.create(spec, init)) {
      TrainingLoop loop =
          new TrainingLoop(spec, split.train(), split.test())
              .addListener(metrics)
              .addListener(writer)
              .addListener(ProgressBar.forTerminal())
              .addListener(new EpochPrinter(stdout, ""));
      try {
        result = loop.run(model, firstStep);
      } catch (TrainingDivergedException e) {
        String kept =
            writer.savedEpoch() > 0
                ? "the last good checkpoint (epoch " + writer.savedEpoch() + ") is kept at " + ckpt
                : "no epoch finished, so no checkpoint was written";
        throw e.withNote(kept);
      }
    }
    stdout.printf(Locale.ROOT, "checkpoint: %s%n", ckpt);
    if (json) {
      ObjectNode o = Json.object();
      o.put("backend", backend.name());
      o.put("epochs", result.epochs());
      o.put("steps", result.steps());
      Json.put(o, "train_loss", result.trainLoss());
      Json.put(o, "test_loss", result.test() == null ? Double.NaN : result.test().loss());
      Json.put(o, "test_accuracy", result.test() == null ? Double.NaN : result.test().accuracy());
      Json.put(o, "samples_per_second", result.samplesPerSecond());
      o.put("checkpoint", ckpt.toString());
      o.put("out", dir.toString());
      stdout.println(Json.line(o));
    }
    stdout.flush();
    return Rosetta.OK;
  }
}
