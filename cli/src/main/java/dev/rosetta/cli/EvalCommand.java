package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.train.Evaluation;
import dev.rosetta.train.Evaluator;
import dev.rosetta.backend.InferenceModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", description = "Evaluate a checkpoint on the test set: loss and accuracy.")
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
    DataSplit split = data.load(spec);
    Dataset set = split.test() != null ? split.test() : split.train();
    String which = split.test() != null ? "test" : "train";
    Evaluation e;
    String runtime;
    try (ModelSource.Opened model = source.open(spec, specFile)) {
      runtime = model.runtime();
      e = Evaluator.evaluate(model.model(), spec, set);
    }
    out.printf(Locale.ROOT, "%s on %s (%s set, %,d samples): loss %.4f  accuracy %.4f%n", spec.name(), runtime, which, e.samples(), e.loss(), e.accuracy());
    if (json) {
      ObjectNode o = Json.object();
      o.put("backend", runtime);
      o.put("set", which);
      o.put("samples", e.samples());
      Json.put(o, "loss", e.loss());
      Json.put(o, "accuracy", e.accuracy());
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }

}
