package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.CheckpointWriter;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.tabular.Splits;
import dev.rosetta.tabular.TabularData;
import dev.rosetta.train.Evaluation;
import dev.rosetta.train.Evaluator;
import dev.rosetta.train.HistoryLog;
import dev.rosetta.train.MetricsLog;
import dev.rosetta.train.TrainingDivergedException;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "train",
    description = {
      "Train a spec on one backend; writes OUT/checkpoint.safetensors, OUT/metrics.jsonl, OUT/history.csv,"
          + " OUT/evaluation.json and OUT/spec.json.",
      "A spec with a preprocess section fits its statistics on the training rows (less any validation split) and"
          + " stores them, with the class names, in the checkpoint."})
final class TrainCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Option(names = "--backend", required = true, description = "pytorch or tensorflow.")
  String backendName;

  @Mixin DataOptions data;

  @Option(names = "--epochs", description = "Override training.epochs.")
  Integer epochs;

  @Mixin TrainingOptions training;

  @Option(names = "--weights", paramLabel = "CKPT", description = "Start from this checkpoint (any backend's) instead of the seeded initialisation: fine-tuning (a preprocess section's statistics are the checkpoint's, not refitted).")
  Path weights;

  @Option(names = "--validation-split", paramLabel = "F", description = "Hold out this fraction of the training data (seeded by the spec seed, stratified by class) and report its loss and metrics every epoch.")
  Double validationSplit;

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
    double fraction = validationSplit == null ? 0 : validationSplit;
    if (validationSplit != null && !(fraction > 0 && fraction < 1)) {
      throw new Rosetta.UserInputException("--validation-split must be in (0, 1), got " + validationSplit);
    }
    Checkpoint.Loaded loaded = weights == null ? null : Checkpoint.load(weights, spec);
    // Everything the data can refuse is refused here, before the output folder is touched.
    Preprocessor preprocessor = null;
    List<String> classes = null;
    DataSplit split;
    Dataset validation = null;
    if (spec.spec().preprocess() != null) {
      RawRows[] t = data.tables(spec, true);
      Preprocessor fitted = loaded == null ? null : loaded.preprocessor(spec, weights.toString());
      TabularData td = TabularData.prepare(spec, t[0], t[1], fraction, spec.training().seed(), fitted);
      preprocessor = td.preprocessor();
      classes = preprocessor.classes();
      split = td.split();
      validation = td.validationData();
    } else {
      split = data.load(spec);
      if (fraction > 0) {
        Dataset all = split.train();
        String[] strata = null;
        if (all.labels() != null) {
          strata = java.util.Arrays.stream(all.labels()).mapToObj(Integer::toString).toArray(String[]::new);
        }
        boolean[] held = Splits.validation(strata, all.size(), fraction, spec.training().seed());
        validation = all.select(Splits.where(held, true));
        split = new DataSplit(all.select(Splits.where(held, false)), split.test());
      }
    }
    TrainingLoop.requireBatchStatistics(spec, split.train().size());
    WeightSet init = loaded != null ? loaded.weights() : Initializer.initialize(spec);
    long firstStep = loaded != null ? loaded.step() : 0;
    Path dir = out != null ? out : Path.of("runs", spec.name() + "-" + backend.name());
    Files.createDirectories(dir);
    AtomicFile.writeString(dir.resolve("spec.json"), SpecJson.write(spec));
    if (saveInit) {
      Checkpoint.save(dir.resolve("init.safetensors"), spec, init, Provenance.initial(backend, spec), preprocessor);
    }
    Path ckpt = dir.resolve("checkpoint.safetensors");
    stdout.printf(Locale.ROOT, "training %s on %s: %d epochs, batch %d, seed %d, %,d train / %s / %s test samples (%s)%n",
        spec.name(), backend.name(), spec.training().epochs(), spec.training().batchSize(), spec.training().seed(),
        split.train().size(), validation == null ? "no validation" : String.format(Locale.ROOT, "%,d validation", validation.size()),
        split.test() == null ? "no" : String.format(Locale.ROOT, "%,d", split.test().size()), data.describe());
    if (preprocessor != null) {
      stdout.printf(Locale.ROOT, "preprocessing fitted on %,d rows: %d features (%s)%n", preprocessor.fittedRows(),
          preprocessor.width(), preprocessor.layout());
    }
    stdout.flush();
    CheckpointWriter writer = new CheckpointWriter(ckpt, spec, backend, preprocessor);
    TrainingResult result;
    Evaluation last;
    String lastSet;
    try (MetricsLog metrics = new MetricsLog(dir.resolve("metrics.jsonl"));
        HistoryLog history = new HistoryLog(dir.resolve("history.csv"), spec.loss().classifies());
        TrainableModel model = backend.create(spec, init)) {
      TrainingLoop loop =
          new TrainingLoop(spec, split.train(), split.test())
              .optValidation(validation)
              .optClasses(classes)
              .optTrainMetrics(validation != null)
              .addListener(metrics)
              .addListener(history)
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
      if (result.validation() != null) {
        last = result.validation();
        lastSet = "validation";
      } else if (result.test() != null) {
        last = result.test();
        lastSet = "test";
      } else {
        last = Evaluator.evaluate(model, spec, split.train(), classes);
        lastSet = "train";
      }
    }
    ObjectNode evaluation = Json.object();
    evaluation.put("spec", spec.name());
    evaluation.put("backend", backend.name());
    evaluation.put("set", lastSet);
    evaluation.put("epochs", result.epochs());
    EvaluationFormat.json(evaluation, last);
    AtomicFile.writeString(dir.resolve("evaluation.json"), Json.line(evaluation) + "\n");
    stdout.printf(Locale.ROOT, "checkpoint: %s%n", ckpt);
    if (json) {
      ObjectNode o = Json.object();
      o.put("backend", backend.name());
      o.put("epochs", result.epochs());
      o.put("steps", result.steps());
      Json.put(o, "train_loss", result.trainLoss());
      Json.put(o, "test_loss", result.test() == null ? Double.NaN : result.test().loss());
      Json.put(o, "test_accuracy", result.test() == null ? Double.NaN : result.test().accuracy());
      Json.put(o, "val_loss", result.validation() == null ? Double.NaN : result.validation().loss());
      Json.put(o, "val_accuracy", result.validation() == null ? Double.NaN : result.validation().accuracy());
      Json.put(o, "samples_per_second", result.samplesPerSecond());
      o.put("checkpoint", ckpt.toString());
      o.put("out", dir.toString());
      stdout.println(Json.line(o));
    }
    stdout.flush();
    return Rosetta.OK;
  }
}
