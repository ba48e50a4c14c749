package dev.rosetta.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.spec.SpecException;
import dev.rosetta.spec.SpecIssue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SWEEP.json read field by field from its schemas: values, defaults, and every error at its JSON path. */
class SweepJsonTest {
  private static final Path DIR = Path.of("/sweeps");

  private static Sweep parse(String json) {
    return SweepJson.parse(json, "s.json", DIR);
  }

  private static List<String> errors(String json) {
    SpecException e = assertThrows(SpecException.class, () -> parse(json));
    return e.issues().stream().map(SpecIssue::toString).toList();
  }

  @Test
  void readsAGridSweepWithDefaults() {
    Sweep s = parse("{\"format\": \"rosetta-sweep/v1\", \"spec\": \"m.json\", \"evaluation\": {\"type\": \"k_fold\"},"
        + " \"parameters\": [{\"type\": \"choice\", \"path\": \"$.layers[0].units\", \"values\": [32, 64]}]}");
    assertEquals("sweep", s.settings().name());
    assertEquals("pytorch", s.settings().backend());
    assertEquals(1, s.settings().threads());
    assertEquals(new TrialEvaluation.KFold(5), s.evaluation());
    assertTrue(s.search() instanceof Search.Grid);
    assertEquals(Sweep.Data.EMBEDDED, s.data());
    Parameter.Choice c = (Parameter.Choice) s.parameters().get(0);
    assertEquals("$.layers[0].units", c.path());
    assertEquals(2, c.values().size());
  }

  @Test
  void reportsEveryErrorAtItsPath() {
    List<String> e = errors("{\"format\": \"rosetta-sweep/v2\", \"name\": \"a b\", \"spec\": \"m.json\", \"threads\": 0,"
        + " \"epochs\": -1, \"data\": {\"train_samples\": -5},"
        + " \"evaluation\": {\"type\": \"k_fold\", \"folds\": 1},"
        + " \"search\": {\"type\": \"random\"},"
        + " \"parameters\": [{\"type\": \"choice\", \"path\": \"layers[0].units\", \"values\": []},"
        + " {\"type\": \"uniform\", \"path\": \"$.optimizer.learning_rate\", \"low\": 0, \"high\": 0.1, \"log\": true},"
        + " {\"type\": \"sample\", \"path\": \"$.x\"}]}");
    for (String want : List.of(
        "error: format must be \"rosetta-sweep/v1\" (got rosetta-sweep/v2) at $.format",
        "error: name must be letters, digits, '.', '_' or '-' (it names files) (got a b) at $.name",
        "error: threads must be >= 1 (got 0) at $.threads",
        "error: epochs must be >= 0 (got -1) at $.epochs",
        "error: train_samples must be >= 0 (got -5) at $.data.train_samples",
        "error: folds must be >= 2 (got 1) at $.evaluation.folds",
        "error: missing required field \"trials\" at $.search.trials",
        "error: path must be a JSON path such as $.layers[0].units (got layers[0].units) at $.parameters[0].path",
        "error: values must not be empty (got []) at $.parameters[0].values",
        "error: unknown parameters \"sample\" (known: choice, uniform, spec_files) at $.parameters[2].type")) {
      assertTrue(e.stream().anyMatch(x -> x.startsWith(want) || x.equals(want)), want + "\n not in " + String.join("\n", e));
    }
  }

  @Test
  void unknownFieldsAreNamedWithTheAllowedOnes() {
    List<String> e = errors("{\"format\": \"rosetta-sweep/v1\", \"spec\": \"m.json\", \"colour\": 1,"
        + " \"data\": {\"paht\": \"x\"}, \"evaluation\": {\"type\": \"k_fold\"},"
        + " \"parameters\": [{\"type\": \"choice\", \"path\": \"$.a\", \"values\": [1]}]}");
    assertEquals(List.of(
        "error: unknown field \"colour\" (allowed: backend, data, epochs, evaluation, format, metric, name, parameters, search,"
            + " spec, threads) at $.colour",
        "error: unknown field \"paht\" (allowed: label_column, path, train_samples) at $.data.paht"), e);
  }

  @Test
  void crossChecks() {
    List<String> e = errors("{\"format\": \"rosetta-sweep/v1\", \"evaluation\": {\"type\": \"validation_split\", \"fraction\": 0.3},"
        + " \"parameters\": [{\"type\": \"uniform\", \"path\": \"$.optimizer.learning_rate\", \"low\": 0.5, \"high\": 0.1},"
        + " {\"type\": \"spec_files\", \"files\": [\"a.json\"]}, {\"type\": \"spec_files\", \"files\": [\"b.json\"]}]}");
    assertEquals(List.of(
        "error: a uniform parameter draws values: it needs \"search\": {\"type\": \"random\", \"trials\": N}; a grid takes"
            + " listed values (choice) at $.parameters[0].type",
        "error: high must be above low (got low 0.5, high 0.1) at $.parameters[0].high",
        "error: only one spec_files parameter: it chooses each trial's base spec at $.parameters[2]"), e);
    assertEquals(List.of(
            "error: missing required field \"evaluation\" (e.g. {\"type\": \"k_fold\", \"folds\": 5}) at $.evaluation",
            "error: missing required field \"parameters\" (e.g. [{\"type\": \"choice\", \"path\": \"$.layers[0].units\","
                + " \"values\": [64, 128]}]) at $.parameters"),
        errors("{\"format\": \"rosetta-sweep/v1\"}"));
    assertEquals(List.of("error: missing required field \"spec\" (the base spec file), or a spec_files parameter at $.spec"),
        errors("{\"format\": \"rosetta-sweep/v1\", \"evaluation\": {\"type\": \"k_fold\"}, \"parameters\": [{\"type\":"
            + " \"choice\", \"path\": \"$.a\", \"values\": [1]}]}"));
  }

  @Test
  void pathsSetExistingFieldsAndElementsOnly() throws Exception {
    ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(
        "{\"layers\": [{\"type\": \"dense\", \"units\": 8}], \"optimizer\": {\"learning_rate\": 0.1}}");
    assertNull(SweepPaths.set(tree, "$.layers[0].units", new ObjectMapper().valueToTree(16)));
    assertEquals(16, tree.at("/layers/0/units").intValue());
    assertEquals("$.layers has 1 elements, no [3]", SweepPaths.set(tree, "$.layers[3].units", tree.get("layers")));
    assertEquals("$.optimizer has no field \"lr\" (it has: learning_rate)", SweepPaths.set(tree, "$.optimizer.lr", tree));
    assertEquals(List.of("layers", 0, "units"), SweepPaths.steps("$.layers[0].units"));
    assertNull(SweepPaths.steps("$.layers[x]"));
    assertNull(SweepPaths.steps("$"));
  }

  @Test
  void randomDrawsDependOnTheSeedTrialAndParameterOnly() {
    List<Parameter> ps = List.of(new Parameter.Uniform("$.a", 0.001, 0.1, true),
        new Parameter.Choice("$.b", List.of(new ObjectMapper().valueToTree(1), new ObjectMapper().valueToTree(2))));
    List<Map<Integer, com.fasterxml.jackson.databind.JsonNode>> four = new Search.Random(4, 7).assign(ps);
    List<Map<Integer, com.fasterxml.jackson.databind.JsonNode>> eight = new Search.Random(8, 7).assign(ps);
    assertEquals(four, eight.subList(0, 4));
    for (Map<Integer, com.fasterxml.jackson.databind.JsonNode> a : eight) {
      double lr = a.get(0).doubleValue();
      assertTrue(lr >= 0.001 && lr < 0.1, "log-uniform draw " + lr);
    }
    assertTrue(!new Search.Random(4, 8).assign(ps).equals(four));
    assertEquals(4, new Search.Grid().assign(List.of(ps.get(1), ps.get(1))).size());
  }
}
