package dev.rosetta.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The preprocess section is read, written and checked from its kinds' declarations like layers. */
class PreprocessSpecTest {
  static String spec(String preprocess, String shape) {
    return "{\"format\": \"rosetta/v1\", \"input\": {\"shape\": " + shape + "}, \"preprocess\": " + preprocess + ","
        + " \"layers\": [{\"type\": \"dense\", \"name\": \"fc\", \"units\": 2}],"
        + " \"loss\": {\"type\": \"cross_entropy\"}, \"optimizer\": {\"type\": \"sgd\", \"learning_rate\": 0.1}}";
  }

  static List<String> errors(String preprocess, String shape) {
    return SpecJson.parseWithReport(spec(preprocess, shape), "t").report().errors().stream().map(SpecIssue::toString).toList();
  }

  @Test
  void thePenguinsExampleRoundTrips() {
    CheckedSpec s = SpecJson.read(Path.of("../examples/penguins.json"));
    Preprocess p = s.spec().preprocess();
    assertEquals("species", p.label());
    assertEquals(Preprocess.DEFAULT_MISSING, p.missing());
    assertEquals(4, p.steps().size());
    assertEquals(new PreprocessStep.OneHot(PreprocessStep.Unseen.ZEROS, List.of()), p.steps().get(3));
    assertEquals(s, SpecJson.parse(SpecJson.write(s), "round trip"));
    String canonical = SpecJson.write(s);
    assertTrue(canonical.contains("\"missing\" : [ \"\", \"NA\", \"NaN\", \"?\", \"null\" ]"), canonical);
    List<Preprocess.Column> columns = p.columns();
    assertEquals("bill_length_mm", columns.get(0).name());
    assertEquals(PreprocessStep.Mean.KIND, columns.get(0).step(PreprocessStep.Role.IMPUTE).kind());
    assertEquals(PreprocessStep.MostFrequent.KIND, columns.get(5).step(PreprocessStep.Role.IMPUTE).kind());
    assertNull(columns.get(5).step(PreprocessStep.Role.SCALE));
  }

  @Test
  void aSpecWithoutTheSectionWritesNone() {
    CheckedSpec s = ModelSpec.builder().setInput(4).dense("fc", 2).setLoss(new Loss.CrossEntropy())
        .setOptimizer(new Optimizer.Sgd(0.1)).build();
    assertTrue(!SpecJson.write(s).contains("preprocess"));
  }

  @Test
  void everyKindIsAPermittedRecord() {
    assertEquals(
        List.of("drop", "mean", "median", "max", "min", "most_frequent", "constant", "standardize", "min_max", "one_hot"),
        Kinds.preprocessSteps().names());
  }

  @Test
  void errorsNameThePathAndTheColumn() {
    String cols = "\"label\": \"y\", \"numeric\": [\"a\", \"b\"], \"categorical\": [\"c\"]";
    assertEquals(List.of(
        "error: preprocess step mean: unknown column 'z' (declared: a, b, c) at $.preprocess.steps[0].columns[0]",
        "error: preprocess step mean does not apply to categorical column 'c' (it applies to numeric columns) at $.preprocess.steps[1].columns[0]",
        "error: preprocess: column 'a' already has a missing-value step (median at $.preprocess.steps[2]); give each column one at $.preprocess.steps[3].columns[0]",
        "error: preprocess step constant does not apply to categorical column 'c' (its value 0.0 is a number; a categorical column needs a string) at $.preprocess.steps[4].columns[0]",
        "error: preprocess: categorical column 'c' has no encoding; add {\"type\": \"one_hot\"} (the model reads numbers) at $.preprocess.categorical[0]"),
        errors("{" + cols + ", \"steps\": [{\"type\": \"mean\", \"columns\": [\"z\"]}, {\"type\": \"mean\", \"columns\": [\"c\"]},"
            + " {\"type\": \"median\", \"columns\": [\"a\"]}, {\"type\": \"max\", \"columns\": [\"a\"]},"
            + " {\"type\": \"constant\", \"value\": 0, \"columns\": [\"c\"]}]}", "[4]"));
    assertEquals(List.of(
        "error: preprocess: steps [0, 1] both set the missing-value step of every numeric column (here 'a'); name the columns of one of them at $.preprocess.steps[1]",
        "error: preprocess: steps [0, 1] both set the missing-value step of every numeric column (here 'b'); name the columns of one of them at $.preprocess.steps[1]"),
        errors("{\"label\": \"y\", \"numeric\": [\"a\", \"b\"], \"steps\": [{\"type\": \"mean\"}, {\"type\": \"max\"}]}", "[2]"));
  }

  @Test
  void fieldsAndShapeAreChecked() {
    assertEquals(List.of(
        "error: unknown field \"scale\" (allowed: categorical, label, missing, numeric, steps) at $.preprocess.scale",
        "error: missing required field \"label\" at $.preprocess.label",
        "error: numeric[1] must be a string, got number 3 at $.preprocess.numeric[1]",
        "error: unknown field \"unsen\" (allowed: columns, type, unseen) at $.preprocess.steps[0].unsen",
        "error: unseen must be one of \"zeros\", \"error\", got string \"drop\" at $.preprocess.steps[1].unseen"),
        errors("{\"scale\": 1, \"numeric\": [\"a\", 3], \"steps\": [{\"type\": \"one_hot\", \"unsen\": \"x\"},"
            + " {\"type\": \"one_hot\", \"unseen\": \"drop\"}]}", "[2]"));
    assertTrue(errors("{\"label\": \"y\", \"numeric\": [\"a\"]}", "[1, 2]").contains(
        "error: a spec with a preprocess section reads one feature vector per row: input.shape must be [width], got [1, 2] at $.input.shape"));
    assertEquals(List.of(
        "error: preprocess: the label column 'a' is also listed as a feature column; a model must not read its own answer at $.preprocess.label",
        "error: input.shape [1] is narrower than the 2 preprocess columns (numeric columns give 1 feature each, a one-hot column 1 per category) at $.input.shape"),
        errors("{\"label\": \"a\", \"numeric\": [\"a\", \"b\"]}", "[1]"));
  }
}
