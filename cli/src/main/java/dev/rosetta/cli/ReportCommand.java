package dev.rosetta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.io.AtomicFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "report",
    description = {
      "Write RUN_DIR/report.html with PNG charts beside it.",
      "A train run (history.csv, evaluation.json): loss and accuracy (or RMSE) per epoch, train vs validation vs test,"
          + " the confusion matrix as a heat map and the per-class table. A cv run (cv.json): per-fold metrics as bars"
          + " with their mean ± standard deviation."})
final class ReportCommand implements Callable<Integer> {
  @Parameters(paramLabel = "RUN_DIR", description = "Output folder of rosetta train or rosetta cv.")
  Path dir;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = cmd.commandLine().getOut();
    if (!Files.isDirectory(dir)) {
      throw new Rosetta.UserInputException("run folder not found: " + dir);
    }
    Path html = dir.resolve("report.html");
    if (Files.isRegularFile(dir.resolve("cv.json"))) {
      AtomicFile.writeString(html, cvReport());
    } else if (Files.isRegularFile(dir.resolve("history.csv"))) {
      AtomicFile.writeString(html, runReport());
    } else {
      throw new Rosetta.UserInputException(dir + ": neither history.csv (rosetta train --out) nor cv.json (rosetta cv --out)");
    }
    out.printf(Locale.ROOT, "wrote %s%n", html);
    out.flush();
    return Rosetta.OK;
  }

  /** history.csv as columns: name -> value per epoch, NaN for an empty cell. */
  private record History(List<String> names, double[][] columns) {
    double[] column(String name) {
      int i = names.indexOf(name);
      if (i < 0) {
        double[] nan = new double[columns.length == 0 ? 0 : columns[0].length];
        Arrays.fill(nan, Double.NaN);
        return nan;
      }
      return columns[i];
    }
  }

  private History history() throws IOException {
    Path file = dir.resolve("history.csv");
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
    if (lines.size() < 2) {
      throw new Rosetta.UserInputException(file + ": no epoch rows");
    }
    List<String> names = List.of(lines.get(0).split(",", -1));
    double[][] cols = new double[names.size()][lines.size() - 1];
    for (int r = 1; r < lines.size(); r++) {
      String[] cells = lines.get(r).split(",", -1);
      if (cells.length != names.size()) {
        throw new Rosetta.UserInputException(file + ":" + (r + 1) + ": " + cells.length + " fields, expected " + names.size());
      }
      for (int c = 0; c < cells.length; c++) {
        try {
          cols[c][r - 1] = cells[c].isEmpty() ? Double.NaN : Double.parseDouble(cells[c]);
        } catch (NumberFormatException e) {
          throw new Rosetta.UserInputException(file + ":" + (r + 1) + ", column '" + names.get(c) + "': not a number: '" + cells[c] + "'");
        }
      }
    }
    return new History(names, cols);
  }

  private JsonNode json(String name) throws IOException {
    Path file = dir.resolve(name);
    try {
      return Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new Rosetta.UserInputException(file + ": not valid JSON: " + e.getOriginalMessage());
    }
  }

  private String runReport() throws IOException {
    History h = history();
    double[] epochs = h.column("epoch");
    boolean classifier = h.names().contains("train_accuracy");
    ReportCharts.curves(dir.resolve("loss.png"), "Loss per epoch", "loss", epochs, List.of(
        new ReportCharts.Curve("train (running mean)", h.column("train_loss")),
        new ReportCharts.Curve("validation", h.column("val_loss")),
        new ReportCharts.Curve("test", h.column("test_loss"))));
    String metric = classifier ? "accuracy" : "rmse";
    ReportCharts.curves(dir.resolve(metric + ".png"), (classifier ? "Accuracy" : "RMSE") + " per epoch", metric, epochs, List.of(
        new ReportCharts.Curve("train", h.column("train_" + metric)),
        new ReportCharts.Curve("validation", h.column("val_" + metric)),
        new ReportCharts.Curve("test", h.column("test_" + metric))));
    StringBuilder body = new StringBuilder();
    JsonNode ev = Files.isRegularFile(dir.resolve("evaluation.json")) ? json("evaluation.json") : null;
    String title = ev == null ? "Training run" : "Training run: " + ev.path("spec").asText() + " on " + ev.path("backend").asText();
    body.append("<h1>").append(esc(title)).append("</h1>\n");
    body.append("<p>").append(epochs.length).append(" epochs. Files: <a href=\"history.csv\">history.csv</a>");
    if (ev != null) {
      body.append(", <a href=\"evaluation.json\">evaluation.json</a>");
    }
    body.append(".</p>\n");
    body.append("<h2>Curves</h2>\n<p><img src=\"loss.png\" alt=\"loss per epoch\"></p>\n");
    body.append("<p><img src=\"").append(metric).append(".png\" alt=\"").append(metric).append(" per epoch\"></p>\n");
    if (ev != null) {
      body.append("<h2>Final model on the ").append(esc(ev.path("set").asText())).append(" set</h2>\n");
      body.append(String.format(Locale.ROOT, "<p>%d samples, loss %s", ev.path("samples").asInt(), num(ev.get("loss"))));
      if (ev.has("accuracy") && !ev.get("accuracy").isNull()) {
        body.append(", accuracy ").append(num(ev.get("accuracy")));
      }
      if (ev.has("roc_auc") && !ev.get("roc_auc").isNull()) {
        body.append(", ROC AUC ").append(num(ev.get("roc_auc")));
      }
      if (ev.has("mae")) {
        body.append(", MAE ").append(num(ev.get("mae"))).append(", RMSE ").append(num(ev.get("rmse")))
            .append(", R² ").append(num(ev.get("r2")));
      }
      body.append(".</p>\n");
      if (ev.has("confusion_matrix")) {
        List<String> classes = new ArrayList<>();
        ev.get("classes").forEach(c -> classes.add(c.asText()));
        int[][] cm = new int[classes.size()][classes.size()];
        for (int i = 0; i < classes.size(); i++) {
          for (int j = 0; j < classes.size(); j++) {
            cm[i][j] = ev.get("confusion_matrix").get(i).get(j).asInt();
          }
        }
        ReportCharts.confusion(dir.resolve("confusion.png"), classes, cm);
        body.append("<p><img src=\"confusion.png\" alt=\"confusion matrix\"></p>\n");
        body.append("<table>\n<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th><th>predicted</th></tr>\n");
        for (JsonNode p : ev.get("per_class")) {
          body.append("<tr><td>").append(esc(p.get("class").asText())).append("</td><td>").append(num(p.get("precision")))
              .append("</td><td>").append(num(p.get("recall"))).append("</td><td>").append(num(p.get("f1")))
              .append("</td><td>").append(p.get("support").asInt()).append("</td><td>").append(p.get("predicted").asInt())
              .append("</td></tr>\n");
        }
        for (String avg : List.of("macro_avg", "weighted_avg")) {
          JsonNode a = ev.get(avg);
          body.append("<tr><td><i>").append(avg.replace('_', ' ')).append("</i></td><td>").append(num(a.get("precision")))
              .append("</td><td>").append(num(a.get("recall"))).append("</td><td>").append(num(a.get("f1")))
              .append("</td><td>").append(ev.path("samples").asInt()).append("</td><td></td></tr>\n");
        }
        body.append("</table>\n<p>Zero division gives 0; the macro average is over the classes that occur in the labels"
            + " or the predictions; the weighted average weighs each class by its support.</p>\n");
      }
    }
    return page(title, body.toString());
  }

  private String cvReport() throws IOException {
    JsonNode cv = json("cv.json");
    List<String> metrics = new ArrayList<>();
    cv.get("mean").fieldNames().forEachRemaining(metrics::add);
    List<String> bars = metrics.stream().filter(m -> !m.equals("loss")).toList();
    JsonNode per = cv.get("per_fold");
    double[][] values = new double[per.size()][bars.size()];
    for (int f = 0; f < per.size(); f++) {
      for (int m = 0; m < bars.size(); m++) {
        values[f][m] = per.get(f).path(bars.get(m)).asDouble(Double.NaN);
      }
    }
    String title = "Cross-validation: " + cv.path("spec").asText() + " on " + cv.path("backend").asText() + ", "
        + cv.path("folds").asInt() + " folds";
    ReportCharts.folds(dir.resolve("folds.png"), title, bars, values);
    StringBuilder body = new StringBuilder("<h1>").append(esc(title)).append("</h1>\n");
    body.append("<p>Seed ").append(cv.path("seed").asLong()).append(". Files: <a href=\"cv.csv\">cv.csv</a>, <a href=\"cv.json\">cv.json</a>.</p>\n");
    body.append("<p><img src=\"folds.png\" alt=\"metrics per fold\"></p>\n<table>\n<tr><th>fold</th><th>train rows</th><th>held-out rows</th>");
    metrics.forEach(m -> body.append("<th>").append(esc(m)).append("</th>"));
    body.append("</tr>\n");
    for (JsonNode f : per) {
      body.append("<tr><td>").append(f.get("fold").asInt()).append("</td><td>").append(f.get("train_rows").asInt())
          .append("</td><td>").append(f.get("test_rows").asInt()).append("</td>");
      metrics.forEach(m -> body.append("<td>").append(num(f.get(m))).append("</td>"));
      body.append("</tr>\n");
    }
    body.append("<tr><td><i>mean ± std</i></td><td></td><td></td>");
    metrics.forEach(m -> body.append("<td>").append(num(cv.get("mean").get(m))).append(" ± ").append(num(cv.get("std").get(m))).append("</td>"));
    body.append("</tr>\n</table>\n<p>Standard deviation over folds with n − 1 in the denominator.</p>\n");
    return page(title, body.toString());
  }

  private static String num(JsonNode n) {
    if (n == null || n.isNull()) {
      return "–";
    }
    if (n.isIntegralNumber()) {
      return n.asText();
    }
    return String.format(Locale.ROOT, "%.4f", n.asDouble());
  }

  private static String page(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title) + "</title>\n"
        + "<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}"
        + "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}td:first-child{text-align:left}</style>\n"
        + "</head>\n<body>\n" + body + "<p><small>Written by rosetta report.</small></p>\n</body>\n</html>\n";
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
