package dev.rosetta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.spark.SparkTrials;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.sweep.Sweep;
import dev.rosetta.sweep.SweepJson;
import dev.rosetta.sweep.SweepPlan;
import dev.rosetta.sweep.SweepRun;
import dev.rosetta.sweep.TrialExecutor;
import dev.rosetta.sweep.TrialResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sweep",
    description = {
      "Model selection: trains every trial of SWEEP.json (a base spec with values set at JSON paths, or a choice of spec"
          + " files; grid or seeded random) with k-fold cross-validation or a validation split, and ranks the trials by"
          + " the metric's mean over the held-out parts.",
      "Writes OUT/trials.csv (ranked: mean ± std per trial), OUT/sweep.json, OUT/sweep.png, and the best trial's"
          + " OUT/spec.json and OUT/checkpoint.safetensors (after a cross-validation, the best spec trained on all the data).",
      "Trials run one after another here, or with --spark as Spark tasks; the same trial gives the same checkpoint bits"
          + " in both (same backend and thread count)."})
final class SweepCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SWEEP.json", description = "The sweep (format rosetta-sweep/v1; see docs/sweep.md).")
  Path file;

  @Option(names = "--spark", description = "Run each trial as a Spark task.")
  boolean spark;

  @Option(names = "--master", description = "Spark master for --spark (default local[*]).")
  String master;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/<sweep name>-sweep).")
  Path out;

  @Option(names = "--json", description = "End with one JSON object of the results.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter stdout = cmd.commandLine().getOut();
    if (master != null && !spark) {
      throw new Rosetta.UserInputException("--master goes with --spark");
    }
    Sweep sweep = SweepJson.read(file);
    SweepPlan plan = SweepPlan.of(sweep);
    Sweep.Settings s = sweep.settings();
    Path dir = out != null ? out : Path.of("runs", s.name() + "-sweep");
    int n = plan.trials().size();
    SweepRun run;
    try (SparkTrials trials = spark ? SparkTrials.start(master == null ? "local[*]" : master, s.threads()) : null) {
      TrialExecutor executor = trials != null ? trials : TrialExecutor.LOCAL;
      stdout.printf(Locale.ROOT, "sweep %s: %d trials (%s) on %s, %d intra-op thread%s each, %s, ranked by %s (%s); %s%n",
          s.name(), n, sweep.search().kind().name(), s.backend(), s.threads(), s.threads() == 1 ? "" : "s",
          evaluation(sweep), plan.metric(), data(sweep), executor.describe());
      stdout.flush();
      Consumer<TrialResult> done = r -> {
        stdout.printf(Locale.ROOT, "trial %d/%d (%s): %s %s  (%s) in %.1f s [%s]%n", r.index(), n,
            plan.trials().get(r.index() - 1).describe(), plan.metric(), meanStd(r), parts(r), r.seconds(), r.worker());
        stdout.flush();
      };
      run = SweepRun.run(plan, executor, done);
    }
    write(dir, run);
    stdout.printf(Locale.ROOT, "%-5s %-6s %-20s %s%n", "rank", "trial", plan.metric(), "values");
    for (int i = 0; i < run.ranked().size(); i++) {
      TrialResult r = run.ranked().get(i);
      stdout.printf(Locale.ROOT, "%-5d %-6d %-20s %s%n", i + 1, r.index(), meanStd(r), run.trial(r).describe());
    }
    TrialResult best = run.best();
    stdout.printf(Locale.ROOT, "best: trial %d (%s); %s and %s%s%n", best.index(), run.trial(best).describe(),
        dir.resolve("spec.json"), dir.resolve("checkpoint.safetensors"),
        sweep.evaluation().judgesTheFinalModel() ? "" : " (its spec trained again on all the data)");
    stdout.printf(Locale.ROOT, "wrote %s, %s and %s; %.1f s in all%n", dir.resolve("trials.csv"), dir.resolve("sweep.json"),
        dir.resolve("sweep.png"), run.seconds());
    if (json) {
      stdout.println(Json.line(summary(run)));
    }
    stdout.flush();
    return Rosetta.OK;
  }

  private static String evaluation(Sweep sweep) {
    return sweep.evaluation().accept(new dev.rosetta.sweep.TrialEvaluation.Visitor<String>() {
      @Override
      public String kFold(dev.rosetta.sweep.TrialEvaluation.KFold k) {
        return k.folds() + "-fold cross-validation";
      }

      @Override
      public String validationSplit(dev.rosetta.sweep.TrialEvaluation.ValidationSplit v) {
        return "a " + v.fraction() + " validation split";
      }
    });
  }

  private static String data(Sweep sweep) {
    Sweep.Data d = sweep.data();
    String where = d.path().isEmpty() ? "embedded Fashion-MNIST subset" : d.path();
    return d.trainSamples() > 0 ? where + ", first " + d.trainSamples() + " training samples" : where;
  }

  private static String meanStd(TrialResult r) {
    return String.format(Locale.ROOT, "%.4f ± %.4f", r.mean(), r.std());
  }

  private static String parts(TrialResult r) {
    List<String> v = new ArrayList<>();
    for (double x : r.values()) {
      v.add(String.format(Locale.ROOT, "%.4f", x));
    }
    return String.join(", ", v);
  }

  /** trials.csv, sweep.json, sweep.png, and the best trial's spec.json and checkpoint, each written atomically. */
  private static void write(Path dir, SweepRun run) throws IOException {
    Files.createDirectories(dir);
    SweepPlan plan = run.plan();
    List<String> labels = new ArrayList<>(plan.trials().get(0).values().keySet());
    List<String> metrics = new ArrayList<>(run.best().means().keySet());
    int parts = run.best().values().length;
    StringBuilder csv = new StringBuilder("rank,trial");
    labels.forEach(l -> csv.append(',').append(csvCell(l)));
    csv.append(',').append(plan.metric()).append("_mean,").append(plan.metric()).append("_std");
    for (int p = 0; p < parts; p++) {
      csv.append(',').append(plan.metric()).append('_').append(p + 1);
    }
    metrics.forEach(m -> csv.append(",mean_").append(m));
    csv.append(",seconds\n");
    List<String> names = new ArrayList<>();
    List<Double> means = new ArrayList<>();
    List<Double> stds = new ArrayList<>();
    for (int i = 0; i < run.ranked().size(); i++) {
      TrialResult r = run.ranked().get(i);
      SweepPlan.Trial t = run.trial(r);
      csv.append(i + 1).append(',').append(r.index());
      for (String l : labels) {
        JsonNode v = t.values().get(l);
        csv.append(',').append(csvCell(v.isTextual() ? v.asText() : v.toString()));
      }
      csv.append(',').append(r.mean()).append(',').append(r.std());
      for (double v : r.values()) {
        csv.append(',').append(v);
      }
      for (String m : metrics) {
        csv.append(',').append(r.means().get(m));
      }
      csv.append(',').append(String.format(Locale.ROOT, "%.3f", r.seconds())).append('\n');
      names.add("#" + r.index());
      means.add(r.mean());
      stds.add(r.std());
    }
    AtomicFile.writeString(dir.resolve("trials.csv"), csv.toString());
    AtomicFile.writeString(dir.resolve("sweep.json"), Json.line(summary(run)) + "\n");
    ReportCharts.trials(dir.resolve("sweep.png"), "Sweep " + plan.sweep().settings().name() + ": " + plan.metric()
        + " per trial, mean ± std over the held-out parts", plan.metric(), names, means, stds);
    AtomicFile.writeString(dir.resolve("spec.json"), SpecJson.write(run.trial(run.best()).spec()));
    AtomicFile.write(dir.resolve("checkpoint.safetensors"), o -> o.write(run.checkpoint()));
  }

  private static String csvCell(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static ObjectNode summary(SweepRun run) {
    SweepPlan plan = run.plan();
    Sweep.Settings s = plan.sweep().settings();
    ObjectNode o = Json.object();
    o.put("sweep", s.name());
    o.put("backend", s.backend());
    o.put("threads", s.threads());
    o.put("metric", plan.metric());
    o.put("maximize", plan.maximize());
    o.put("where", run.where());
    Json.put(o, "seconds", run.seconds());
    ArrayNode trials = o.putArray("ranking");
    for (int i = 0; i < run.ranked().size(); i++) {
      TrialResult r = run.ranked().get(i);
      ObjectNode t = trials.addObject();
      t.put("rank", i + 1);
      t.put("trial", r.index());
      ObjectNode values = t.putObject("values");
      run.trial(r).values().forEach(values::set);
      Json.put(t, "mean", r.mean());
      Json.put(t, "std", r.std());
      ArrayNode per = t.putArray("per_part");
      for (double v : r.values()) {
        per.add(v);
      }
      ObjectNode m = t.putObject("means");
      for (Map.Entry<String, Double> e : r.means().entrySet()) {
        Json.put(m, e.getKey(), e.getValue());
      }
      t.put("train_rows", r.trainRows());
      Json.put(t, "seconds", r.seconds());
      t.put("worker", r.worker());
    }
    ObjectNode best = o.putObject("best");
    best.put("trial", run.best().index());
    best.put("checkpoint_sha256", sha256(run.checkpoint()));
    return o;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
