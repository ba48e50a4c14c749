package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.tabular.Holdouts;
import dev.rosetta.train.Evaluation;
import dev.rosetta.train.Evaluator;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.weights.Initializer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "cv",
    description = {
      "k-fold cross-validation: seeded folds, stratified by class; each fold trains a fresh model (the spec's seeded"
          + " initialisation) on the other folds and is evaluated on its own rows.",
      "A spec with a preprocess section fits its statistics inside each fold, on the fold's training part only."
          + " Prints per-fold metrics and their mean ± standard deviation (n - 1); writes OUT/cv.csv and OUT/cv.json"
          + " (rosetta report OUT draws them)."})
final class CvCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Mixin DataOptions data;

  @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "Number of folds (default ${DEFAULT-VALUE}).")
  int folds;

  @Option(names = "--backend", defaultValue = "pytorch", description = "pytorch or tensorflow (default ${DEFAULT-VALUE}).")
  String backendName;

  @Option(names = "--epochs", description = "Override training.epochs.")
  Integer epochs;

  @Mixin TrainingOptions training;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<spec name>-cv-<backend>).")
  Path out;

  @Option(names = "--json", description = "End with one JSON object of the results.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = cmd.commandLine().getOut();
    CheckedSpec spec = training.apply(SpecFiles.load(specFile, cmd.commandLine().getErr()), epochs);
    Backend backend = Backends.get(backendName);
    SpecFiles.requireSupported(backend, spec, specFile);
    if (folds < 2) {
      throw new Rosetta.UserInputException("--folds must be >= 2 (got " + folds + ")");
    }
    long seed = spec.training().seed();
    Holdouts.Source source = spec.spec().preprocess() != null
        ? Holdouts.Source.of(data.tables(spec, true)[0]) : Holdouts.Source.of(data.load(spec).train());
    List<Holdouts.Part> parts = Holdouts.kFold(spec, source, folds, seed);
    for (Holdouts.Part p : parts) {
      TrainingLoop.requireBatchStatistics(spec, p.train().size());
    }
    Path dir = out != null ? out : Path.of("runs", spec.name() + "-cv-" + backend.name());
    stdout.printf(Locale.ROOT, "cross-validating %s on %s: %d folds (stratified, seed %d), %d epochs, batch %d (%s)%n",
        spec.name(), backend.name(), folds, seed, spec.training().epochs(), spec.training().batchSize(), data.describe());
    stdout.flush();
    List<Evaluation> results = new ArrayList<>();
    for (int f = 0; f < parts.size(); f++) {
      Holdouts.Part p = parts.get(f);
      Evaluation e;
      try (TrainableModel model = backend.create(spec, Initializer.initialize(spec))) {
        new TrainingLoop(spec, p.train(), null).run(model);
        e = Evaluator.evaluate(model, spec, p.test(), p.classes());
      }
      results.add(e);
      stdout.printf(Locale.ROOT, "fold %d/%d: %d train / %d held out  %s%n", f + 1, folds, p.train().size(), p.test().size(), line(e));
      stdout.flush();
    }
    Map<String, ToDoubleFunction<Evaluation>> metrics = metrics(spec);
    ObjectNode o = Json.object();
    o.put("spec", spec.name());
    o.put("backend", backend.name());
    o.put("folds", folds);
    o.put("seed", seed);
    ArrayNode per = o.putArray("per_fold");
    StringBuilder csv = new StringBuilder("fold,train_rows,test_rows," + String.join(",", metrics.keySet()) + "\n");
    for (int f = 0; f < results.size(); f++) {
      ObjectNode n = per.addObject();
      n.put("fold", f + 1);
      n.put("train_rows", parts.get(f).train().size());
      n.put("test_rows", parts.get(f).test().size());
      EvaluationFormat.json(n, results.get(f));
      for (Map.Entry<String, ToDoubleFunction<Evaluation>> m : metrics.entrySet()) {
        Json.put(n, m.getKey(), m.getValue().applyAsDouble(results.get(f)));
      }
      csv.append(f + 1).append(',').append(parts.get(f).train().size()).append(',').append(parts.get(f).test().size());
      for (ToDoubleFunction<Evaluation> m : metrics.values()) {
        csv.append(',').append(m.applyAsDouble(results.get(f)));
      }
      csv.append('\n');
    }
    ObjectNode mean = o.putObject("mean");
    ObjectNode std = o.putObject("std");
    for (Map.Entry<String, ToDoubleFunction<Evaluation>> m : metrics.entrySet()) {
      double[] v = results.stream().mapToDouble(m.getValue()).toArray();
      Json.put(mean, m.getKey(), mean(v));
      Json.put(std, m.getKey(), std(v));
      stdout.printf(Locale.ROOT, "%-10s %.4f ± %.4f  (folds: %s)%n", m.getKey(), mean(v), std(v), list(v));
    }
    Files.createDirectories(dir);
    AtomicFile.writeString(dir.resolve("cv.csv"), csv.toString());
    AtomicFile.writeString(dir.resolve("cv.json"), Json.line(o) + "\n");
    stdout.printf(Locale.ROOT, "wrote %s and %s%n", dir.resolve("cv.csv"), dir.resolve("cv.json"));
    if (json) {
      stdout.println(Json.line(o));
    }
    stdout.flush();
    return Rosetta.OK;
  }

  /** The per-fold figures summarised: accuracy, macro F1 and loss for a classifier; MAE, RMSE, R² and loss otherwise. */
  static Map<String, ToDoubleFunction<Evaluation>> metrics(CheckedSpec spec) {
    Map<String, ToDoubleFunction<Evaluation>> m = new LinkedHashMap<>();
    if (spec.loss().classifies()) {
      m.put("accuracy", Evaluation::accuracy);
      m.put("macro_f1", Evaluation::macroF1);
    } else {
      m.put("mae", e -> e.regression().mae());
      m.put("rmse", e -> e.regression().rmse());
      m.put("r2", e -> e.regression().r2());
    }
    m.put("loss", Evaluation::loss);
    return m;
  }

  private static String line(Evaluation e) {
    if (e.regression() != null) {
      return String.format(Locale.ROOT, "loss %.4f  MAE %.4f  RMSE %.4f  R² %.4f", e.loss(), e.regression().mae(),
          e.regression().rmse(), e.regression().r2());
    }
    return String.format(Locale.ROOT, "loss %.4f  accuracy %.4f  macro F1 %.4f", e.loss(), e.accuracy(), e.macroF1());
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** Sample standard deviation (n - 1): the folds are a sample of the ways the data could split. */
  static double std(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  private static String list(double[] v) {
    List<String> out = new ArrayList<>();
    for (double x : v) {
      out.add(String.format(Locale.ROOT, "%.4f", x));
    }
    return String.join(", ", out);
  }
}
