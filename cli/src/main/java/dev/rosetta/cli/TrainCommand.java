package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.OptimizerState;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.CheckpointWriter;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.data.DataException;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.EarlyStopping;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.tabular.Splits;
import dev.rosetta.tabular.TabularData;
import dev.rosetta.train.Evaluation;
import dev.rosetta.train.Evaluator;
import dev.rosetta.train.HistoryLog;
import dev.rosetta.train.LearningRates;
import dev.rosetta.train.MetricsLog;
import dev.rosetta.train.TrainingDivergedException;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.train.TrainingState;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import dev.rosetta.weights.WeightTransfer;
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
      "Train a spec on one backend; writes OUT/checkpoint.safetensors (weights, optimizer and training state: the run"
          + " can resume from it), OUT/best.safetensors (when early stopping watches a figure), OUT/metrics.jsonl,"
          + " OUT/history.csv, OUT/evaluation.json, OUT/spec.json and OUT/run.json.",
      "A spec with a preprocess section fits its statistics on the training rows (less any validation split) and"
          + " stores them, with the class names, in the checkpoint."})
final class TrainCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Option(names = "--backend", required = true, description = "pytorch or tensorflow.")
  String backendName;

  @Mixin DataOptions data;

  @Option(names = "--epochs", description = "Override training.epochs (with --resume: train until this many in total).")
  Integer epochs;

  @Mixin TrainingOptions training;

  @Option(names = "--weights", paramLabel = "CKPT", description = "Start from this checkpoint's weights (any backend's), matched by name: fine-tuning. Tensors the spec declares and the checkpoint lacks (a new head) are initialised from the seed; the checkpoint's others are ignored; a report lists both. A preprocess section's statistics are the checkpoint's, not refitted.")
  Path weights;

  @Option(names = "--reinit-mismatched", description = "With --weights: initialise tensors whose shape differs from the checkpoint's (a head for another number of classes) instead of refusing.")
  boolean reinitMismatched;

  @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR, in place, from its last checkpoint (weights, optimizer state, schedule, early stopping, data position) until --epochs in total (default: the spec's). Its data options are reused; on the same backend the result is bit-identical to an uninterrupted run.")
  Path resume;

  @Option(names = "--validation-split", paramLabel = "F", description = "Hold out this fraction of the training data (seeded by the spec seed, stratified by class) and report its loss and metrics every epoch.")
  Double validationSplit;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<spec name>-<backend>).")
  Path out;

  @Option(names = "--save-init", description = "Also write OUT/init.safetensors, the weights before step 1.")
  boolean saveInit;

  @Option(names = "--json", description = "End with one JSON object of the results.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  /** The data of a run, prepared before anything is written. */
  private record RunData(DataSplit split, Dataset validation, Preprocessor preprocessor, List<String> classes) {}

  /** Where training starts: weights, and for a resumed run its optimizer and training state. */
  private record Start(WeightSet weights, OptimizerState optimizer, TrainingState state, WeightSet best) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = cmd.commandLine().getOut();
    PrintWriter stderr = cmd.commandLine().getErr();
    CheckedSpec spec = training.apply(SpecFiles.load(specFile, stderr), epochs);
    Backend backend = Backends.get(backendName);
    SpecFiles.requireSupported(backend, spec, specFile);
    if (validationSplit != null && !(validationSplit > 0 && validationSplit < 1)) {
      throw new Rosetta.UserInputException("--validation-split must be in (0, 1), got " + validationSplit);
    }
    if (resume != null) {
      return resume(spec, backend, stdout);
    }
    if (reinitMismatched && weights == null) {
      throw new Rosetta.UserInputException("--reinit-mismatched goes with --weights CKPT");
    }
    Checkpoint.Loaded loaded = weights == null ? null : Checkpoint.read(weights);
    // Everything the data can refuse is refused here, before the output folder is touched.
    RunData run = prepare(spec, loaded == null ? null : loaded.preprocessor(spec, weights.toString()),
        loaded == null ? null : loaded.vocabulary(), validationSplit);
    Start start;
    if (loaded == null) {
      start = new Start(Initializer.initialize(spec), null, TrainingState.START, null);
    } else {
      WeightTransfer t = WeightTransfer.byName(spec, loaded.weights(), weights.toString(), reinitMismatched);
      printTransfer(stdout, t, loaded);
      // A fine-tuning run counts its steps on from the checkpoint's, so its dropout masks are new.
      start = new Start(t.weights(), null, new TrainingState(0, loaded.step(), null, null, false), null);
    }
    Path dir = out != null ? out : Path.of("runs", spec.name() + "-" + backend.name());
    Files.createDirectories(dir);
    AtomicFile.writeString(dir.resolve("spec.json"), SpecJson.write(spec));
    RunFolder.writeManifest(dir, backend.name(), data, validationSplit, run.split().train().size());
    if (saveInit) {
      Checkpoint.save(dir.resolve("init.safetensors"), spec, start.weights(), Provenance.initial(backend, spec), run.preprocessor(),
          run.split().vocabulary(), null, null);
    }
    return train(spec, backend, dir, run, start, false, stdout);
  }

  /** Continues the run in {@link #resume} from its checkpoint. */
  private int resume(CheckedSpec spec, Backend backend, PrintWriter stdout) throws IOException {
    if (weights != null || saveInit || reinitMismatched) {
      throw new Rosetta.UserInputException("--resume continues a run from its own checkpoint: leave out --weights, --save-init"
          + " and --reinit-mismatched");
    }
    Path dir = resume;
    if (out != null && !out.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
      throw new Rosetta.UserInputException("--resume continues " + dir + " in place; --out " + out + " names another folder");
    }
    Path ckpt = dir.resolve("checkpoint.safetensors");
    if (!Files.isRegularFile(ckpt)) {
      throw new DataException(ckpt + " not found: the run in " + dir + " finished no epoch, so there is nothing to resume;"
          + " start it again");
    }
    requireSameSpec(spec, dir);
    Double split = RunFolder.resumeDataOptions(RunFolder.manifest(dir), data, validationSplit, dir);
    Checkpoint.Loaded loaded = Checkpoint.load(ckpt, spec);
    TrainingState state = loaded.trainingState();
    if (state == null || loaded.optimizer() == null) {
      throw new DataException(ckpt + " holds weights but no optimizer or training state (it was written before Rosetta could"
          + " resume runs): start a new run from it with --weights " + ckpt);
    }
    if (state.stopped()) {
      stdout.printf(Locale.ROOT, "nothing to resume: early stopping ended the run in %s after epoch %d%n", dir, state.epoch());
      return Rosetta.OK;
    }
    if (state.epoch() >= spec.training().epochs()) {
      stdout.printf(Locale.ROOT, "nothing to resume: the run in %s has trained %d of %d epochs (raise --epochs to go on)%n",
          dir, state.epoch(), spec.training().epochs());
      return Rosetta.OK;
    }
    RunData run = prepare(spec, loaded.preprocessor(spec, ckpt.toString()), loaded.vocabulary(), split);
    int recorded = RunFolder.manifest(dir).get("train_samples").intValue();
    if (run.split().train().size() != recorded) {
      throw new DataException("cannot resume " + dir + ": the training data has " + run.split().train().size()
          + " samples, the run was trained on " + recorded);
    }
    WeightSet best = null;
    Path bestFile = dir.resolve(CheckpointWriter.BEST);
    EarlyStopping es = spec.training().earlyStopping();
    if (es != null && es.restoreBestWeights() && Files.isRegularFile(bestFile)) {
      best = Checkpoint.load(bestFile, spec).weights();
    }
    RunFolder.truncateLogs(dir, state.epoch());
    AtomicFile.writeString(dir.resolve("spec.json"), SpecJson.write(spec));
    stdout.printf(Locale.ROOT, "resuming %s after epoch %d (step %d) of a %s run%s%n", dir, state.epoch(), state.step(),
        loaded.backend(), loaded.backend().equals(backend.name()) ? ""
            : " on " + backend.name() + ": the trajectories agree within the parity contract, not bit for bit");
    return train(spec, backend, dir, run, new Start(loaded.weights(), loaded.optimizer(), state, best), true, stdout);
  }

  /**
   * A run resumes only with its own spec; the number of epochs (how far to go) may change.
   *
   * @throws Rosetta.UserInputException naming the first differing line
   */
  private static void requireSameSpec(CheckedSpec spec, Path dir) {
    Path file = dir.resolve("spec.json");
    if (!Files.isRegularFile(file)) {
      throw new DataException(dir + " has no spec.json: it is not a run folder written by `rosetta train`");
    }
    CheckedSpec recorded = SpecJson.read(file);
    String a = SpecJson.write(spec.spec().withTraining(spec.training().withEpochs(1)));
    String b = SpecJson.write(recorded.spec().withTraining(recorded.training().withEpochs(1)));
    if (!a.equals(b)) {
      String[] x = a.split("\n");
      String[] y = b.split("\n");
      int i = 0;
      while (i < Math.min(x.length, y.length) && x[i].equals(y[i])) {
        i++;
      }
      throw new Rosetta.UserInputException("cannot resume " + dir + ": the spec differs from the run's " + file + " (first at: "
          + (i < x.length ? x[i].trim() : "<end>") + " vs " + (i < y.length ? y[i].trim() : "<end>")
          + "); only --epochs may change when resuming");
    }
  }

  /**
   * Loads, splits and (for a table) preprocesses the data; refuses bad data before any output.
   *
   * @param vocabulary the vocabulary of the checkpoint a run on text starts from, or null to build
   *     one from the training text
   */
  private RunData prepare(CheckedSpec spec, Preprocessor fitted, Vocabulary vocabulary, Double split) {
    double fraction = split == null ? 0 : split;
    Preprocessor preprocessor = null;
    List<String> classes = null;
    DataSplit s;
    Dataset validation = null;
    if (spec.spec().preprocess() != null) {
      data.refuseSubsetsOfTables();
      RawRows[] t = data.tables(spec, true);
      TabularData td = TabularData.prepare(spec, t[0], t[1], fraction, spec.training().seed(), fitted);
      preprocessor = td.preprocessor();
      classes = preprocessor.classes();
      s = td.split();
      validation = td.validationData();
    } else {
      s = data.load(spec, vocabulary);
      if (fraction > 0) {
        Dataset all = s.train();
        String[] strata = null;
        if (all.labels() != null) {
          strata = java.util.Arrays.stream(all.labels()).mapToObj(Integer::toString).toArray(String[]::new);
        }
        boolean[] held = Splits.validation(strata, all.size(), fraction, spec.training().seed());
        validation = all.select(Splits.where(held, true));
        s = new DataSplit(all.select(Splits.where(held, false)), s.test(), s.vocabulary());
      }
    }
    TrainingLoop.requireBatchStatistics(spec, s.train().size());
    String monitor = spec.training().monitor();
    if (monitor != null && monitor.startsWith("val_") && validation == null && s.test() == null) {
      throw new Rosetta.UserInputException("the spec watches " + monitor + ", but this run has neither a validation split nor"
          + " a test set: add --validation-split F");
    }
    LearningRates.requireFits(spec, s.train().size());
    return new RunData(s, validation, preprocessor, classes);
  }

  private static void printTransfer(PrintWriter out, WeightTransfer t, Checkpoint.Loaded from) {
    out.printf(Locale.ROOT, "weights from a %s checkpoint (epoch %d), by name:%n", from.backend(), from.epoch());
    out.printf(Locale.ROOT, "  loaded %d tensors%s%n", t.loaded().size(), list(t.loaded()));
    if (!t.initialised().isEmpty()) {
      out.printf(Locale.ROOT, "  initialised %d (not in the checkpoint)%s%n", t.initialised().size(), list(t.initialised()));
    }
    if (!t.reinitialised().isEmpty()) {
      out.printf(Locale.ROOT, "  re-initialised %d (other shape in the checkpoint)%s%n", t.reinitialised().size(),
          list(t.reinitialised()));
    }
    if (!t.ignored().isEmpty()) {
      out.printf(Locale.ROOT, "  ignored %d (not in the spec)%s%n", t.ignored().size(), list(t.ignored()));
    }
  }

  private static String list(List<String> names) {
    return names.isEmpty() ? "" : ": " + String.join(", ", names);
  }

  /** Trains from {@code start} and writes the run's outputs into {@code dir}. */
  private int train(
      CheckedSpec spec, Backend backend, Path dir, RunData run, Start start, boolean resuming, PrintWriter stdout)
      throws IOException {
    DataSplit split = run.split();
    Dataset validation = run.validation();
    Path ckpt = dir.resolve("checkpoint.safetensors");
    stdout.printf(Locale.ROOT, "training %s on %s: %d epochs, batch %d, seed %d, %,d train / %s / %s test %s (%s)%n",
        spec.name(), backend.name(), spec.training().epochs(), spec.training().batchSize(), spec.training().seed(),
        split.train().size(), validation == null ? "no validation" : String.format(Locale.ROOT, "%,d validation", validation.size()),
        split.test() == null ? "no" : String.format(Locale.ROOT, "%,d", split.test().size()),
        spec.takesTokens() ? "sequences of " + spec.input().dim(0) + " tokens" : "samples", data.describe());
    if (split.vocabulary() != null) {
      stdout.printf(Locale.ROOT, "vocabulary: %d characters, stored with the checkpoint%n", split.vocabulary().size());
    }
    if (run.preprocessor() != null) {
      stdout.printf(Locale.ROOT, "preprocessing fitted on %,d rows: %d features (%s)%n", run.preprocessor().fittedRows(),
          run.preprocessor().width(), run.preprocessor().layout());
    }
    String monitor = spec.training().monitor();
    if (monitor != null && monitor.startsWith("val_") && validation == null) {
      stdout.printf(Locale.ROOT, "%s is watched on the test set (no --validation-split)%n", monitor);
    }
    stdout.flush();
    CheckpointWriter writer = new CheckpointWriter(ckpt, spec, backend, run.preprocessor(), split.vocabulary());
    TrainingResult result;
    Evaluation last;
    String lastSet;
    try (MetricsLog metrics = new MetricsLog(dir.resolve("metrics.jsonl"), resuming);
        HistoryLog history = new HistoryLog(dir.resolve("history.csv"), spec.loss().classifies(), resuming);
        TrainableModel model = backend.create(spec, start.weights())) {
      if (start.optimizer() != null) {
        model.loadOptimizerState(start.optimizer());
      }
      TrainingLoop loop =
          new TrainingLoop(spec, split.train(), split.test())
              .optValidation(validation)
              .optClasses(run.classes())
              .optTrainMetrics(validation != null)
              .optBestWeights(start.best())
              .addListener(metrics)
              .addListener(history)
              .addListener(writer)
              .addListener(ProgressBar.forTerminal())
              .addListener(new EpochPrinter(stdout, "", spec.training().schedule() != null, EpochPrinter.perToken(spec)));
      try {
        result = loop.run(model, start.state());
      } catch (TrainingDivergedException e) {
        String kept =
            writer.savedEpoch() > 0
                ? "the last good checkpoint (epoch " + writer.savedEpoch() + ") is kept at " + ckpt
                : start.state().epoch() > 0
                    ? "the checkpoint of epoch " + start.state().epoch() + " is kept at " + ckpt
                    : "no epoch finished, so no checkpoint was written";
        throw e.withNote(kept);
      }
      if (result.stoppedEarly()) {
        stdout.printf(Locale.ROOT, "early stopping: %s did not improve for %d epochs; stopped after epoch %d (best: epoch %d)%n",
            spec.training().earlyStopping().monitor(), spec.training().earlyStopping().patience(), result.epochs(),
            result.bestEpoch());
      }
      if (result.restoredBest()) {
        stdout.printf(Locale.ROOT, "restored the weights of epoch %d (restore_best_weights); %s keeps epoch %d's to resume from%n",
            result.bestEpoch(), ckpt.getFileName(), result.epochs());
      }
      Dataset evalSet = validation != null ? validation : split.test() != null ? split.test() : split.train();
      lastSet = validation != null ? "validation" : split.test() != null ? "test" : "train";
      Evaluation fromLoop = validation != null ? result.validation() : result.test();
      last = fromLoop != null && !result.restoredBest() ? fromLoop : Evaluator.evaluate(model, spec, evalSet, run.classes());
    }
    if (spec.training().earlyStopping() != null && Files.isRegularFile(writer.best())) {
      stdout.printf(Locale.ROOT, "best: %s%n", writer.best());
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
      o.put("stopped_early", result.stoppedEarly());
      o.put("best_epoch", result.bestEpoch());
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
