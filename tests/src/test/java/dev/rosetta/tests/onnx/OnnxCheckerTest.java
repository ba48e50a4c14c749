package dev.rosetta.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.converter.OnnxExport;
import dev.rosetta.converter.OnnxOpset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Initializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference implementation's opinion: onnx's own checker (full check) and strict shape
 * inference accept the exported files. Needs Python with the onnx package (Debian:
 * python3-onnx); skipped, saying so, where there is none. -Drosetta.python=/path/to/python3
 * picks the interpreter.
 */
class OnnxCheckerTest {
  static final String CHECK =
      "import sys, onnx\n"
          + "for p in sys.argv[1:]:\n"
          + "    m = onnx.load(p)\n"
          + "    onnx.checker.check_model(m, full_check=True)\n"
          + "    onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)\n"
          + "    print('ok', p, 'onnx', onnx.__version__)\n";

  @TempDir Path dir;

  @Test
  void onnxCheckerAcceptsTheExportedExamples() throws Exception {
    String python = pythonWithOnnx();
    Assumptions.assumeTrue(python != null,
        "skipped: no Python with the onnx package (tried " + candidates() + "); install python3-onnx or set -Drosetta.python");
    List<String> cmd = new ArrayList<>(List.of(python, "-c", CHECK));
    for (ExampleSpecs.Named s : ExampleSpecs.all()) {
      Path file = dir.resolve(s.id() + ".onnx");
      OnnxExport.export(s.spec(), Initializer.initialize(s.spec()), Map.of("backend", "checker"), file);
      cmd.add(file.toString());
    }
    // The penguins model with its preprocessing in front: string input, ai.onnx.ml encoders.
    CheckedSpec penguins = SpecJson.read(ExampleSpecs.examplesDir().resolve("penguins.json"));
    Path tabular = dir.resolve("penguins-preprocess.onnx");
    OnnxExport.export(penguins, Initializer.initialize(penguins), Map.of("backend", "checker"), OnnxOpset.DEFAULT,
        ExampleSpecs.penguinsPreprocessor(penguins), tabular);
    cmd.add(tabular.toString());
    Result r = run(cmd, 120);
    assertEquals(0, r.exit(), "onnx checker rejected an export:\n" + r.output());
  }

  static List<String> candidates() {
    String configured = System.getProperty("rosetta.python");
    // pyenv and virtualenvs shadow the system interpreter that Debian's python3-onnx belongs to.
    return configured != null ? List.of(configured) : List.of("python3", "/usr/bin/python3");
  }

  static String pythonWithOnnx() {
    for (String p : candidates()) {
      try {
        if (run(List.of(p, "-c", "import onnx"), 60).exit() == 0) {
          return p;
        }
      } catch (IOException | InterruptedException e) {
        // Not there or not runnable: try the next one.
      }
    }
    return null;
  }

  record Result(int exit, String output) {}

  static Result run(List<String> cmd, int seconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out after " + seconds + " s: " + cmd);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
