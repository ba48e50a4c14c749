package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.data.Batch;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import java.util.List;
import dev.rosetta.train.Evaluator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", description = "Print the model's outputs for the first test samples; with a preprocess section, the predicted class names for the first rows of the table (the label column may be absent); a next-token model: the predicted characters beside the text.")
final class PredictCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Mixin ModelSource source;

  @Mixin DataOptions data;

  @Option(names = "--count", description = "How many samples (default ${DEFAULT-VALUE}).", defaultValue = "10")
  int count;

  @Option(names = "--json", description = "End with one JSON object holding the outputs.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = cmd.commandLine().getOut();
    if (count <= 0) {
      throw new Rosetta.UserInputException("--count must be > 0 (got " + count + ")");
    }
    CheckedSpec spec = SpecFiles.load(specFile, cmd.commandLine().getErr());
    if (spec.spec().preprocess() != null) {
      return tabular(spec, out);
    }
    int width = spec.outputSize();
    float[] y;
    String runtime;
    Batch b;
    int n;
    Vocabulary vocabulary;
    try (ModelSource.Opened model = source.open(spec, specFile)) {
      vocabulary = model.vocabulary();
      DataSplit split = data.load(spec, vocabulary);
      Dataset set = split.test() != null ? split.test() : split.train();
      n = Math.min(count, set.size());
      b = set.slice(0, n);
      runtime = model.runtime();
      y = model.model().predict(b);
    }
    if (spec.output().rank() == 2 && b.labelsPerSample() > 1) {
      return printPositions(out, runtime, spec, b, y, vocabulary);
    }
    ObjectNode o = Json.object();
    o.put("backend", runtime);
    ArrayNode rows = o.putArray("predictions");
    for (int i = 0; i < n; i++) {
      ObjectNode row = rows.addObject();
      row.put("index", i);
      ArrayNode outputs = row.putArray("output");
      for (int k = 0; k < width; k++) {
        outputs.add(y[i * width + k]);
      }
      if (b.labels() != null) {
        int cls = Evaluator.argmax(y, i * width, width);
        row.put("predicted", cls);
        row.put("label", b.labels()[i]);
        out.printf(Locale.ROOT, "sample %d: predicted %d (p=%.3f)  label %d%n", i, cls, softmax(y, i * width, width)[cls], b.labels()[i]);
      } else {
        out.printf(Locale.ROOT, "sample %d: output %s%n", i, java.util.Arrays.toString(java.util.Arrays.copyOfRange(y, i * width, (i + 1) * width)));
      }
    }
    if (json) {
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }

  /**
   * Rows of a table, read raw and preprocessed with the model's fitted statistics; a classifier's
   * predictions are printed as class names. The table may lack the label column (new rows).
   */
  private int tabular(CheckedSpec spec, PrintWriter out) throws IOException {
    RawRows[] t = data.tables(spec, false);
    RawRows all = t[1] != null ? t[1] : t[0];
    RawRows head = all.head(count);
    int width = spec.outputSize();
    ObjectNode o = Json.object();
    try (ModelSource.Opened model = source.open(spec, specFile)) {
      Preprocessor pre = model.preprocessor();
      Preprocessor.Prepared p = pre.transform(head);
      float[] y = model.outputs(spec, p);
      o.put("backend", model.runtime());
      if (p.dropped() > 0) {
        out.printf(Locale.ROOT, "%d of the first %d rows dropped for missing values (drop step)%n", p.dropped(), head.size());
      }
      ArrayNode rows = o.putArray("predictions");
      List<String> classes = pre.classes();
      for (int i = 0; i < p.rows().size(); i++) {
        ObjectNode row = rows.addObject();
        row.put("line", p.rows().lines()[i]);
        ArrayNode outputs = row.putArray("output");
        for (int k = 0; k < width; k++) {
          outputs.add(y[i * width + k]);
        }
        String label = p.rows().labels() == null ? null : p.rows().labels()[i];
        if (classes != null) {
          int cls = Evaluator.argmax(y, i * width, width);
          row.put("predicted", cls);
          row.put("class", classes.get(cls));
          row.put("probability", softmax(y, i * width, width)[cls]);
          if (label != null) {
            row.put("label", label);
          }
          out.printf(Locale.ROOT, "%s: %s (p=%.3f)%s%n", p.rows().where(i), classes.get(cls), softmax(y, i * width, width)[cls],
              label == null ? "" : "  label " + label);
        } else {
          if (label != null) {
            row.put("target", label);
          }
          out.printf(Locale.ROOT, "%s: output %s%s%n", p.rows().where(i),
              java.util.Arrays.toString(java.util.Arrays.copyOfRange(y, i * width, (i + 1) * width)), label == null ? "" : "  target " + label);
        }
      }
    }
    if (json) {
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }

  /**
   * A model with a class per position (a next-token model): per sequence, the argmax class at
   * every position beside the labels, as text when the model was trained on text.
   */
  private int printPositions(PrintWriter out, String runtime, CheckedSpec spec, Batch b, float[] y, Vocabulary vocabulary) {
    int positions = spec.output().dim(0);
    int classes = spec.output().dim(1);
    ObjectNode o = Json.object();
    o.put("backend", runtime);
    ArrayNode rows = o.putArray("predictions");
    for (int i = 0; i < b.size(); i++) {
      int[] predicted = new int[positions];
      int[] labels = java.util.Arrays.copyOfRange(b.labels(), i * positions, (i + 1) * positions);
      int hits = 0;
      for (int p = 0; p < positions; p++) {
        predicted[p] = Evaluator.argmax(y, (i * positions + p) * classes, classes);
        hits += predicted[p] == labels[p] ? 1 : 0;
      }
      ObjectNode row = rows.addObject();
      row.put("index", i);
      ArrayNode pa = row.putArray("predicted");
      ArrayNode la = row.putArray("labels");
      for (int p = 0; p < positions; p++) {
        pa.add(predicted[p]);
        la.add(labels[p]);
      }
      row.put("hits", hits);
      if (vocabulary != null) {
        out.printf(Locale.ROOT, "sequence %d: %d/%d next characters right%n  predicted %s%n  text      %s%n", i, hits, positions,
            quoted(vocabulary.decode(predicted)), quoted(vocabulary.decode(labels)));
      } else {
        out.printf(Locale.ROOT, "sequence %d: %d/%d right  predicted %s  labels %s%n", i, hits, positions,
            java.util.Arrays.toString(predicted), java.util.Arrays.toString(labels));
      }
    }
    if (json) {
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }

  /** Text on one line: newlines and tabs escaped. */
  static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t") + "\"";
  }

  private static double[] softmax(float[] z, int off, int width) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < width; k++) {
      max = Math.max(max, z[off + k]);
    }
    double[] p = new double[width];
    double s = 0;
    for (int k = 0; k < width; k++) {
      p[k] = Math.exp(z[off + k] - max);
      s += p[k];
    }
    for (int k = 0; k < width; k++) {
      p[k] /= s;
    }
    return p;
  }
}
