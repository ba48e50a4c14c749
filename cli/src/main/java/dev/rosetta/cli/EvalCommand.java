package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.train.Evaluation;
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

@Command(name = "eval", description = {
    "Evaluate a checkpoint (or an exported file) on the test set: loss, accuracy, per-class precision, recall and F1,"
        + " their macro and weighted averages, the confusion matrix (and ROC AUC for two classes); MAE, RMSE and R² for mse models.",
    "A spec with a preprocess section reads its table raw and applies the statistics fitted in training."})
final class EvalCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Mixin ModelSource source;

  @Mixin DataOptions data;

  @Option(names = "--json", description = "End with one JSON object of the results.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = cmd.commandLine().getOut();
    CheckedSpec spec = SpecFiles.load(specFile, cmd.commandLine().getErr());
    Evaluation e;
    String runtime;
    String which;
    int dropped = 0;
    if (spec.spec().preprocess() != null) {
      RawRows[] t = data.tables(spec, true);
      which = t[1] != null ? "test" : "train";
      try (ModelSource.Opened model = source.open(spec, specFile)) {
        runtime = model.runtime();
        Preprocessor.Prepared p = model.preprocessor().transform(t[1] != null ? t[1] : t[0]);
        dropped = p.dropped();
        e = Evaluator.score(spec, model.outputs(spec, p), p.data(), model.preprocessor().classes());
      }
    } else {
      try (ModelSource.Opened model = source.open(spec, specFile)) {
        // A model trained on text reads text with its own vocabulary.
        DataSplit split = data.load(spec, model.vocabulary());
        Dataset set = split.test() != null ? split.test() : split.train();
        which = split.test() != null ? "test" : "train";
        runtime = model.runtime();
        e = Evaluator.evaluate(model.model(), spec, set);
      }
    }
    String droppedNote = dropped > 0 ? String.format(Locale.ROOT, ", %d dropped for missing values", dropped) : "";
    boolean perToken = EpochPrinter.perToken(spec);
    out.printf(Locale.ROOT, "%s on %s (%s set, %,d %s%s): loss %.4f%s  %saccuracy %.4f%n", spec.name(), runtime, which,
        e.samples(), spec.takesTokens() ? "sequences" : "samples", droppedNote, e.loss(),
        perToken ? EpochPrinter.tokenFigures(e) : "", perToken ? "token " : "", e.accuracy());
    out.print(EvaluationFormat.text(e));
    if (json) {
      ObjectNode o = Json.object();
      o.put("backend", runtime);
      o.put("set", which);
      o.put("dropped", dropped);
      EvaluationFormat.json(o, e);
      if (perToken) {
        Json.put(o, "bits_per_token", e.bitsPerToken());
        Json.put(o, "perplexity", e.perplexity());
      }
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }
}
