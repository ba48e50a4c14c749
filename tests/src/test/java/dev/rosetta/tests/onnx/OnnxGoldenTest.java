package dev.rosetta.tests.onnx;

import static org.junit.jupiter.api.Assertions.fail;

import dev.rosetta.converter.OnnxLowering;
import dev.rosetta.converter.OnnxOpset;
import dev.rosetta.converter.OnnxText;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.weights.Initializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Converter regressions: the text dump ({@link OnnxText}) of each example's exported graph must
 * equal its checked-in golden file, tests/src/test/resources/golden/&lt;id&gt;.onnx.txt.
 *
 * <p>After an intended change to the lowering, regenerate and review the diff:
 *
 * <pre>mvn -B -o test -pl tests -am -Dtest=OnnxGoldenTest -Dsurefire.failIfNoSpecifiedTests=false -Drosetta.updateGolden=true
 * git diff tests/src/test/resources/golden</pre>
 */
class OnnxGoldenTest {
  static final String REGENERATE =
      "mvn -B -o test -pl tests -am -Dtest=OnnxGoldenTest -Dsurefire.failIfNoSpecifiedTests=false -Drosetta.updateGolden=true";

  /** Fixed provenance: the dump shows metadata keys, never values, but keys must be stable. */
  static final Map<String, String> PROVENANCE =
      Map.of("backend", "golden", "versions", "{}", "seed", "0", "step", "0");

  static Stream<ExampleSpecs.Named> specs() {
    return ExampleSpecs.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void exportedGraphMatchesItsGoldenDump(ExampleSpecs.Named s) throws IOException {
    String actual = OnnxText.dump(OnnxLowering.lower(s.spec(), Initializer.initialize(s.spec()), PROVENANCE));
    matchesGolden(s.id(), actual);
  }

  /** The penguins graph with its fitted preprocessing in front: raw rows in, imputed, scaled, one-hot. */
  @Test
  void preprocessingMatchesItsGoldenDump() throws IOException {
    CheckedSpec spec = SpecJson.read(ExampleSpecs.examplesDir().resolve("penguins.json"));
    Preprocessor p = ExampleSpecs.penguinsPreprocessor(spec);
    String actual = OnnxText.dump(OnnxLowering.lower(spec, Initializer.initialize(spec), PROVENANCE, OnnxOpset.DEFAULT, p));
    matchesGolden("penguins-preprocess", actual);
  }

  static void matchesGolden(String id, String actual) throws IOException {
    Path golden = goldenDir().resolve(id + ".onnx.txt");
    if (Boolean.getBoolean("rosetta.updateGolden")) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(golden)) {
      fail("no golden dump for '" + id + "' at " + golden + "; create it with\n  " + REGENERATE
          + "\nand review it. The dump would be:\n" + actual);
    }
    String expected = Files.readString(golden, StandardCharsets.UTF_8);
    if (!expected.equals(actual)) {
      fail("exported graph of '" + id + "' differs from " + golden + ":\n" + diff(expected, actual)
          + "If the change is intended, regenerate with\n  " + REGENERATE + "\nand review git diff.");
    }
  }

  static Path goldenDir() {
    String dir = System.getProperty("rosetta.goldenDir");
    return dir != null ? Path.of(dir) : Path.of("src", "test", "resources", "golden");
  }

  /** Line diff: the lines only in the golden file (-) and only in the new dump (+), in order. */
  static String diff(String expected, String actual) {
    List<String> a = expected.lines().toList();
    List<String> b = actual.lines().toList();
    int[][] lcs = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        out.append("  ").append(a.get(i)).append('\n');
        i++;
        j++;
      } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.append("- ").append(a.get(i++)).append('\n');
      } else {
        out.append("+ ").append(b.get(j++)).append('\n');
      }
    }
    return out.toString();
  }
}
