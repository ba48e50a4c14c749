package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Preprocess;
import dev.rosetta.spec.PreprocessStep;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "validate",
    description = "Check a spec: every error with its JSON path, layer shapes, parameter count, backend support.")
final class ValidateCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file (JSON, format rosetta/v1).")
  Path specFile;

  @Option(names = "--backend", description = "Also check that this backend can lower the spec (default: every backend present).")
  String backend;

  @Option(names = "--json", description = "End with one JSON object: valid, errors, warnings, layers, parameters.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() {
    PrintWriter out = cmd.commandLine().getOut();
    SpecJson.ParseResult r = SpecJson.parseWithReport(SpecFiles.readText(specFile), specFile.toString());
    List<SpecIssue> issues = new ArrayList<>(r.report().issues());
    CheckedSpec spec = r.report().checkedSpec().orElse(null);
    if (spec != null) {
      List<Backend> backends = backend == null ? Backends.available() : List.of(Backends.get(backend));
      for (Backend b : backends) {
        issues.addAll(b.unsupported(spec));
      }
    }
    List<SpecIssue> errors = issues.stream().filter(i -> i.severity() == SpecIssue.Severity.ERROR).toList();
    List<SpecIssue> warnings = issues.stream().filter(i -> i.severity() == SpecIssue.Severity.WARNING).toList();
    for (SpecIssue i : issues) {
      out.println(specFile + ": " + i);
    }
    boolean valid = errors.isEmpty();
    ObjectNode o = Json.object();
    o.put("spec", specFile.toString());
    o.put("valid", valid);
    ArrayNode errs = o.putArray("errors");
    ArrayNode warns = o.putArray("warnings");
    for (SpecIssue i : issues) {
      ObjectNode n = (i.severity() == SpecIssue.Severity.ERROR ? errs : warns).addObject();
      n.put("path", i.path());
      if (i.layer() == null) {
        n.putNull("layer");
      } else {
        n.put("layer", i.layer());
      }
      n.put("message", i.message());
    }
    if (valid) {
      List<LayerShape> shapes = spec.shapes();
      if (spec.spec().preprocess() != null) {
        out.print(preprocessTable(spec.spec().preprocess(), o.putArray("columns")));
      }
      out.println(table(spec, shapes));
      ArrayNode layers = o.putArray("layers");
      for (int i = 0; i < shapes.size(); i++) {
        LayerShape ls = shapes.get(i);
        ObjectNode n = layers.addObject();
        n.put("name", ls.layer().name());
        n.put("type", ls.layer().type());
        ArrayNode reads = n.putArray("inputs");
        spec.spec().inputsOf(i).forEach(reads::add);
        ArrayNode shape = n.putArray("output_shape");
        for (int d : ls.output().dims()) {
          shape.add(d);
        }
        n.put("parameters", ls.paramCount());
      }
      o.put("parameters", spec.paramCount());
      out.printf(Locale.ROOT, "%s: valid (%d errors, %d warnings)%n", specFile, 0, warnings.size());
    } else {
      out.printf(Locale.ROOT, "%s: invalid (%d errors, %d warnings)%n", specFile, errors.size(), warnings.size());
    }
    if (json) {
      out.println(Json.line(o));
    }
    out.flush();
    return valid ? Rosetta.OK : Rosetta.BAD_INPUT;
  }

  /**
   * Which step fills each column's slots (missing value, scaling, encoding), as resolved from the
   * steps: explicit {@code columns} beat a step without them. The features' order is the model
   * input's.
   */
  static String preprocessTable(Preprocess p, ArrayNode json) {
    String row = "%-20s %-12s %-15s %-12s %s%n";
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "preprocess: label '%s', missing markers %s%n",
        p.label(), p.missing().stream().map(m -> "'" + m + "'").toList()));
    sb.append(String.format(Locale.ROOT, row, "column", "type", "missing", "scaling", "encoding"));
    for (Preprocess.Column c : p.columns()) {
      String[] steps = new String[3];
      ObjectNode n = json.addObject();
      n.put("column", c.name());
      n.put("type", c.type().label());
      for (PreprocessStep.Role role : PreprocessStep.Role.values()) {
        PreprocessStep s = c.step(role);
        steps[role.ordinal()] = s == null ? "-" : s.type();
        if (s == null) {
          n.putNull(role.name().toLowerCase(Locale.ROOT));
        } else {
          n.put(role.name().toLowerCase(Locale.ROOT), s.type());
        }
      }
      sb.append(String.format(Locale.ROOT, row, c.name(), c.type().label(), steps[0], steps[1], steps[2]));
    }
    return sb.toString();
  }

  /**
   * Layer table: name, type, output shape, parameters; for a graph also what each layer reads.
   * Running statistics are counted apart: they are state, not trained parameters.
   */
  static String table(CheckedSpec spec, List<LayerShape> shapes) {
    boolean graph = spec.spec().isGraph();
    int typeWidth = Math.max(17, shapes.stream().mapToInt(s -> s.layer().type().length()).max().orElse(0));
    String row = "%-16s %-" + typeWidth + "s %-18s %12s" + (graph ? "  %s" : "%s") + "%n";
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, row, "layer", "type", "output", "parameters", graph ? "reads" : ""));
    String input = spec.input() + (spec.takesTokens() ? " " + spec.inputType().jsonName() : "");
    sb.append(String.format(Locale.ROOT, row, "(" + dev.rosetta.spec.ModelSpec.INPUT + ")", "", input, "", ""));
    for (int i = 0; i < shapes.size(); i++) {
      LayerShape ls = shapes.get(i);
      sb.append(String.format(Locale.ROOT, row, ls.layer().name(), ls.layer().type(), ls.output(),
          String.format(Locale.ROOT, "%,d", ls.paramCount()), graph ? String.join(", ", spec.spec().inputsOf(i)) : ""));
    }
    sb.append(String.format(Locale.ROOT, "total parameters: %,d", spec.paramCount()));
    long buffers = spec.params().stream().filter(p -> !p.trainable()).mapToLong(p -> p.shape().size()).sum();
    if (buffers > 0) {
      sb.append(String.format(Locale.ROOT, " (plus %,d running statistics)", buffers));
    }
    return sb.toString();
  }
}
