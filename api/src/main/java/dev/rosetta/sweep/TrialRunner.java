package dev.rosetta.sweep;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.data.DataException;
import dev.rosetta.data.DataSources;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Monitor;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.CsvTable;
import dev.rosetta.tabular.Holdouts;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.train.Evaluation;
import dev.rosetta.train.Evaluator;
import dev.rosetta.train.Figures;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.weights.Initializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one trial: a full Rosetta training of the trial's spec from its seeded initialisation, on
 * each training part (the folds of a cross-validation, or a validation split's rest), each judged
 * on its held-out part by {@link Evaluator}. It is the same code in the command's process and in a
 * Spark task; with the same backend and thread count it gives the same bits in both.
 */
public final class TrialRunner {
  private TrialRunner() {}

  public static TrialResult run(TrialTask t) {
    long start = System.currentTimeMillis();
    CheckedSpec spec = SpecJson.parse(t.specJson(), "trial " + t.index());
    Backend backend = Backends.get(t.backend());
    Holdouts.Source data = load(spec, t);
    List<Holdouts.Part> parts = t.evaluation() == null ? List.of(Holdouts.whole(spec, data))
        : t.evaluation().accept(new TrialEvaluation.Visitor<List<Holdouts.Part>>() {
          @Override
          public List<Holdouts.Part> kFold(TrialEvaluation.KFold k) {
            return Holdouts.kFold(spec, data, k.folds(), spec.training().seed());
          }

          @Override
          public List<Holdouts.Part> validationSplit(TrialEvaluation.ValidationSplit v) {
            return List.of(Holdouts.validation(spec, data, v.fraction(), spec.training().seed()));
          }
        });
    for (Holdouts.Part p : parts) {
      TrainingLoop.requireBatchStatistics(spec, p.train().size());
    }
    List<String> names = Monitor.metrics(spec.loss());
    double[] values = new double[t.evaluation() == null ? 0 : parts.size()];
    Map<String, Double> sums = new LinkedHashMap<>();
    byte[] checkpoint = null;
    for (int i = 0; i < parts.size(); i++) {
      Holdouts.Part p = parts.get(i);
      try (TrainableModel model = backend.create(spec, Initializer.initialize(spec), Execution.threads(t.threads()))) {
        TrainingResult r = new TrainingLoop(spec, p.train(), null).run(model);
        Map<String, Double> figures = new LinkedHashMap<>();
        if (p.test() != null) {
          Evaluation e = Evaluator.evaluate(model, spec, p.test(), p.classes());
          values[i] = Figures.metric(t.metric(), e);
          for (String n : names) {
            figures.put(n, Figures.metric(n, e));
            sums.merge(n, Figures.metric(n, e), Double::sum);
          }
        }
        if (t.checkpoint()) {
          Provenance prov = new Provenance(backend.name(), backend.versions(), spec.training().seed(), r.epochs(), r.steps(), figures);
          checkpoint = checkpointBytes(spec, model, prov, p);
        }
      }
    }
    Map<String, Double> means = new LinkedHashMap<>();
    sums.forEach((k, v) -> means.put(k, v / parts.size()));
    return new TrialResult(t.index(), values, means, checkpoint, parts.get(0).train().size(), Thread.currentThread().getName(),
        start, System.currentTimeMillis());
  }

  /** The checkpoint as {@link Checkpoint#save} writes it, through a temporary file. */
  private static byte[] checkpointBytes(CheckedSpec spec, TrainableModel model, Provenance p, Holdouts.Part part) {
    try {
      Path tmp = Files.createTempFile("rosetta-trial-", ".safetensors");
      try {
        Checkpoint.save(tmp, spec, model.weights(), p, part.preprocessor());
        return Files.readAllBytes(tmp);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the trial's checkpoint", e);
    }
  }

  /** The trial's data: a table's raw rows, or samples shaped to the spec (the first {@code trainSamples}). */
  static Holdouts.Source load(CheckedSpec spec, TrialTask t) {
    Path path = t.dataPath().isEmpty() ? null : Path.of(t.dataPath());
    if (spec.spec().preprocess() != null) {
      if (path == null) {
        throw new DataException("spec '" + spec.name() + "' has a preprocess section: the sweep's data.path must name its table");
      }
      Path file = Files.isDirectory(path) ? path.resolve("train.csv") : path;
      RawRows rows = RawRows.read(CsvTable.read(file), spec.spec().preprocess(), true);
      return Holdouts.Source.of(t.trainSamples() > 0 ? rows.select(java.util.stream.IntStream.range(0,
          Math.min(t.trainSamples(), rows.size())).toArray()) : rows);
    }
    Dataset train = DataSources.load(path, t.labelColumn().isEmpty() ? null : t.labelColumn()).train();
    if (t.trainSamples() > 0) {
      train = train.head(t.trainSamples());
    }
    return Holdouts.Source.of(train.reshapedTo(spec.input()).requireTargetsFor(spec));
  }

  /** Runs trials one after another in this process. */
  public static List<TrialResult> runAll(List<TrialTask> tasks, java.util.function.Consumer<TrialResult> done) {
    List<TrialResult> out = new ArrayList<>();
    for (TrialTask t : tasks) {
      TrialResult r = run(t);
      done.accept(r);
      out.add(r);
    }
    return out;
  }
}
