package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.metrics.ClassificationMetrics;
import dev.rosetta.metrics.RegressionMetrics;
import dev.rosetta.train.Evaluation;
import java.util.List;
import java.util.Locale;

/**
 * How an {@link Evaluation} is shown: a per-class table and the confusion matrix as text, and
 * the same figures under stable JSON keys ({@code eval --json}, {@code evaluation.json} of a run,
 * {@code cv} folds), documented in docs/spec.md ("Metrics").
 */
final class EvaluationFormat {
  private EvaluationFormat() {}

  /** The lines after the loss/accuracy headline: per-class table, averages, confusion matrix, ROC AUC; MAE, RMSE, R². */
  static String text(Evaluation e) {
    StringBuilder sb = new StringBuilder();
    ClassificationMetrics c = e.classification();
    if (c != null) {
      int w = Math.max(12, c.classes().stream().mapToInt(String::length).max().orElse(0) + 2);
      sb.append(String.format(Locale.ROOT, "%-" + w + "s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support"));
      for (ClassificationMetrics.PerClass p : c.perClass()) {
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %8d%n", p.name(), p.precision(), p.recall(), p.f1(), p.support()));
      }
      sb.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %8d%n", "macro avg", c.macro().precision(), c.macro().recall(), c.macro().f1(), c.samples()));
      sb.append(String.format(Locale.ROOT, "%-" + w + "s %9.4f %9.4f %9.4f %8d%n", "weighted avg", c.weighted().precision(), c.weighted().recall(), c.weighted().f1(), c.samples()));
      sb.append("confusion matrix (rows: true class, columns: predicted):\n");
      int cw = Math.max(6, c.classes().stream().mapToInt(String::length).max().orElse(0) + 1);
      sb.append(String.format(Locale.ROOT, "%-" + w + "s", ""));
      for (String name : c.classes()) {
        sb.append(String.format(Locale.ROOT, " %" + cw + "s", name));
      }
      sb.append('\n');
      for (int i = 0; i < c.classes().size(); i++) {
        sb.append(String.format(Locale.ROOT, "%-" + w + "s", c.classes().get(i)));
        for (int v : c.confusion()[i]) {
          sb.append(String.format(Locale.ROOT, " %" + cw + "d", v));
        }
        sb.append('\n');
      }
      if (!Double.isNaN(c.rocAuc())) {
        sb.append(String.format(Locale.ROOT, "ROC AUC (class '%s' positive): %.4f%n", c.classes().get(1), c.rocAuc()));
      }
    }
    RegressionMetrics r = e.regression();
    if (r != null) {
      sb.append(String.format(Locale.ROOT, "MAE %.6g  RMSE %.6g  R² %.6f%n", r.mae(), r.rmse(), r.r2()));
    }
    return sb.toString();
  }

  /** Adds the evaluation's figures to {@code o} under their stable keys. */
  static void json(ObjectNode o, Evaluation e) {
    o.put("samples", e.samples());
    Json.put(o, "loss", e.loss());
    Json.put(o, "accuracy", e.accuracy());
    ClassificationMetrics c = e.classification();
    if (c != null) {
      ArrayNode names = o.putArray("classes");
      c.classes().forEach(names::add);
      ArrayNode per = o.putArray("per_class");
      for (ClassificationMetrics.PerClass p : c.perClass()) {
        ObjectNode n = per.addObject();
        n.put("class", p.name());
        n.put("precision", p.precision());
        n.put("recall", p.recall());
        n.put("f1", p.f1());
        n.put("support", p.support());
        n.put("predicted", p.predicted());
      }
      average(o.putObject("macro_avg"), c.macro());
      average(o.putObject("weighted_avg"), c.weighted());
      ArrayNode cm = o.putArray("confusion_matrix");
      for (int[] row : c.confusion()) {
        ArrayNode a = cm.addArray();
        for (int v : row) {
          a.add(v);
        }
      }
      Json.put(o, "roc_auc", c.rocAuc());
    }
    RegressionMetrics r = e.regression();
    if (r != null) {
      Json.put(o, "mae", r.mae());
      Json.put(o, "rmse", r.rmse());
      Json.put(o, "r2", r.r2());
    }
  }

  private static void average(ObjectNode o, ClassificationMetrics.Average a) {
    o.put("precision", a.precision());
    o.put("recall", a.recall());
    o.put("f1", a.f1());
  }

  /** The class names an evaluation reports, or the given default. */
  static List<String> classes(Evaluation e, List<String> otherwise) {
    return e.classification() != null ? e.classification().classes() : otherwise;
  }
}
