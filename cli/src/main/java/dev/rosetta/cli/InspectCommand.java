package dev.rosetta.cli;

import dev.rosetta.converter.OnnxInspector;
import dev.rosetta.converter.OnnxSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "inspect",
    description = "Describe an ONNX file: opset, IR version, inputs and outputs, operators, parameters, metadata.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL", description = "An .onnx file.")
  Path model;

  @Option(names = "--json", description = "End with one JSON object of the summary.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter o = cmd.commandLine().getOut();
    OnnxSummary s = OnnxInspector.inspect(model);
    o.println(s.toText());
    if (json) {
      o.println(s.toJson());
    }
    o.flush();
    return Rosetta.OK;
  }
}
