package dev.rosetta.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.backend.Backends;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Monitor;
import dev.rosetta.spec.SpecException;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.spec.SpecJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep's trials, each with its spec built and validated before any trains: the base spec (or
 * the chosen spec file) in canonical form, {@code epochs} set when the sweep overrides it, then
 * every parameter's value put at its path. A path the spec lacks, a trial spec that does not
 * validate, a metric the loss does not compute, an unknown backend or missing data is reported at
 * the sweep's JSON path ({@link SpecException}): nothing has run yet.
 *
 * @param metric the ranking metric, resolved ("" became accuracy or RMSE)
 * @param maximize whether a higher metric is better
 * @param dataPath absolute, or "" for the embedded subset
 */
public record SweepPlan(Sweep sweep, List<Trial> trials, String metric, boolean maximize, String dataPath) {

  /**
   * One trial.
   *
   * @param index 1-based
   * @param values each parameter's value, by its label (path, or {@code spec})
   */
  public record Trial(int index, Map<String, JsonNode> values, CheckedSpec spec) {
    /** {@code units=64, learning_rate=0.05}: the values as a table cell. */
    public String describe() {
      List<String> parts = new ArrayList<>();
      values.forEach((k, v) -> parts.add(k.substring(k.lastIndexOf('.') + 1) + "=" + (v.isTextual() ? v.asText() : v.toString())));
      return String.join(", ", parts);
    }
  }

  public static SweepPlan of(Sweep sweep) {
    List<SpecIssue> issues = new ArrayList<>();
    Sweep.Settings s = sweep.settings();
    if (!Backends.names().contains(s.backend())) {
      issues.add(SpecIssue.error("$.backend", null, "unknown backend \"" + s.backend() + "\" (available: "
          + String.join(", ", Backends.names()) + ")"));
    }
    String dataPath = "";
    if (!sweep.data().path().isEmpty()) {
      Path p = sweep.dir().resolve(sweep.data().path()).normalize();
      if (!Files.exists(p)) {
        issues.add(SpecIssue.error("$.data.path", null, "data not found: " + p));
      }
      dataPath = p.toString();
    }
    List<Map<Integer, JsonNode>> assignments = sweep.search().assign(sweep.parameters());
    Map<String, CheckedSpec> bases = new LinkedHashMap<>();
    List<Trial> trials = new ArrayList<>();
    String metric = s.metric();
    for (int t = 0; t < assignments.size(); t++) {
      Map<Integer, JsonNode> a = assignments.get(t);
      String file = s.spec();
      for (Map.Entry<Integer, JsonNode> e : a.entrySet()) {
        if (sweep.parameters().get(e.getKey()).choosesSpec()) {
          file = e.getValue().asText();
        }
      }
      CheckedSpec base = bases.computeIfAbsent(file, f -> SpecJson.read(sweep.dir().resolve(f).normalize()));
      ObjectNode tree = SpecJson.toTree(base.spec());
      if (s.epochs() > 0) {
        ((ObjectNode) tree.get("training")).put("epochs", s.epochs());
      }
      Map<String, JsonNode> values = new LinkedHashMap<>();
      int before = issues.size();
      for (Map.Entry<Integer, JsonNode> e : a.entrySet()) {
        Parameter p = sweep.parameters().get(e.getKey());
        values.put(p.label(), e.getValue());
        if (p.choosesSpec()) {
          continue;
        }
        String why = SweepPaths.set(tree, p.label(), e.getValue().deepCopy());
        if (why != null) {
          issues.add(SpecIssue.error("$.parameters[" + e.getKey() + "].path", null, "trial " + (t + 1) + " (spec " + file + "): " + why));
        }
      }
      if (issues.size() > before) {
        continue;
      }
      Trial trial = new Trial(t + 1, values, null);
      SpecJson.ParseResult r = SpecJson.parseWithReport(tree.toString(), "trial " + (t + 1));
      if (r.report().hasErrors()) {
        for (SpecIssue i : r.report().errors()) {
          issues.add(SpecIssue.error("$.parameters", null, "trial " + (t + 1) + " (" + trial.describe() + "): the spec it makes"
              + " from " + file + " is invalid: " + i.message() + " at " + i.path()));
        }
        continue;
      }
      CheckedSpec spec = r.report().checkedSpec().orElseThrow();
      List<String> can = Monitor.metrics(spec.loss());
      if (metric.isEmpty()) {
        metric = spec.loss().classifies() ? "accuracy" : "rmse";
      }
      if (!can.contains(metric)) {
        issues.add(SpecIssue.error("$.metric", null, "metric \"" + metric + "\" is not computed for a " + spec.loss().type()
            + " model (trial " + (t + 1) + "; it can rank by: " + String.join(", ", can) + ")"));
      }
      trials.add(new Trial(t + 1, values, spec));
    }
    if (!issues.isEmpty()) {
      throw new SpecException(sweep.source(), issues.stream().distinct().limit(20).toList());
    }
    return new SweepPlan(sweep, trials, metric, Monitor.higherIsBetter("x_" + metric), dataPath);
  }

  /** The tasks that run the trials. */
  public List<TrialTask> tasks() {
    Sweep.Settings s = sweep.settings();
    Sweep.Data d = sweep.data();
    boolean keep = sweep.evaluation().judgesTheFinalModel();
    return trials.stream().map(t -> new TrialTask(t.index(), SpecJson.write(t.spec()), s.backend(), s.threads(), dataPath,
        d.labelColumn(), d.trainSamples(), sweep.evaluation(), metric, keep)).toList();
  }
}
