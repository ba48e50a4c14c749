package dev.rosetta.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecJsonTest {
  static final String SEED =
      """
      {"format": "rosetta/v1", "name": "seed-mlp", "input": {"shape": [784]},
       "layers": [
         {"type": "dense", "name": "fc1", "units": 128}, {"type": "relu", "name": "relu1"},
         {"type": "dense", "name": "fc2", "units": 64}, {"type": "relu", "name": "relu2"},
         {"type": "dense", "name": "fc3", "units": 10}],
       "loss": {"type": "cross_entropy"},
       "optimizer": {"type": "sgd", "learning_rate": 0.01},
       "training": {"epochs": 10, "batch_size": 64, "seed": 42, "shuffle": true}}
      """;

  /** The seed spec with one substring replaced. */
  static String seedWith(String from, String to) {
    assertTrue(SEED.contains(from), from);
    return SEED.replace(from, to);
  }

  static List<SpecIssue> errors(String json) {
    SpecJson.ParseResult r = SpecJson.parseWithReport(json, "test.json");
    assertTrue(r.report().hasErrors(), "expected errors for " + json);
    return r.report().errors();
  }

  static SpecIssue onlyError(String json) {
    List<SpecIssue> e = errors(json);
    assertEquals(1, e.size(), e.toString());
    return e.get(0);
  }

  @Test
  void readsTheSeedSpec() {
    CheckedSpec s = SpecJson.parse(SEED, "seed");
    assertEquals("seed-mlp", s.name());
    assertEquals(Shape.of(784), s.input());
    assertEquals(5, s.layers().size());
    assertEquals(new Layer.Dense("fc1", 128), s.layers().get(0));
    assertEquals(new Optimizer.Sgd(0.01, 0, 0, false), s.optimizer());
    assertEquals(new Training(10, 64, 42, true), s.training());
  }

  @Test
  void theBuilderMakesTheSameIr() {
    CheckedSpec built =
        ModelSpec.builder().optName("seed-mlp").setInput(784)
            .dense("fc1", 128).relu("relu1").dense("fc2", 64).relu("relu2").dense("fc3", 10)
            .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.01))
            .optTraining(10, 64, 42, true).build();
    assertEquals(SpecJson.parse(SEED, "seed"), built);
    assertEquals(SpecJson.hash(built), SpecJson.hash(SpecJson.parse(SEED, "seed")));
  }

  @Test
  void canonicalJsonRoundTrips() {
    CheckedSpec s =
        ModelSpec.builder().setInput(1, 28, 28).flatten("flat").dense("fc", 32).tanh("t").dropout("d", 0.25)
            .sigmoid("s").dense("out", 3).softmax("sm").setLoss(new Loss.Mse())
            .setOptimizer(new Optimizer.Adam(0.002, 0.8, 0.99, 1e-7, 0.01)).build();
    assertEquals(s, SpecJson.parse(SpecJson.write(s), "round trip"));
  }

  @Test
  void examplesInTheRepositoryAreValid() throws Exception {
    Path examples = Path.of("../examples");
    try (var files = Files.list(examples)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        SpecJson.read(p);
      }
    }
  }

  @Test
  void unknownLayerType() {
    SpecIssue e = onlyError(seedWith("\"type\": \"relu\", \"name\": \"relu1\"", "\"type\": \"relux\", \"name\": \"relu1\""));
    assertEquals("$.layers[1].type", e.path());
    assertEquals("relu1", e.layer());
    assertTrue(e.message().contains("unknown type \"relux\""), e.message());
  }

  @Test
  void missingRequiredField() {
    SpecIssue e = onlyError(seedWith("\"name\": \"fc2\", \"units\": 64", "\"name\": \"fc2\""));
    assertEquals("$.layers[2].units", e.path());
    assertEquals("fc2", e.layer());
    assertTrue(e.message().contains("missing required field \"units\""), e.message());
  }

  @Test
  void wrongType() {
    SpecIssue e = onlyError(seedWith("\"units\": 64", "\"units\": \"64\""));
    assertEquals("$.layers[2].units", e.path());
    assertTrue(e.message().contains("must be an integer, got string \"64\""), e.message());
  }

  @Test
  void nonPositiveUnits() {
    SpecIssue e = onlyError(seedWith("\"units\": 64", "\"units\": -5"));
    assertEquals("$.layers[2].units", e.path());
    assertEquals("fc2.units must be > 0 (got -5)", e.message());
    assertEquals("error: fc2.units must be > 0 (got -5) at $.layers[2].units", e.toString());
  }

  @Test
  void duplicateNames() {
    SpecIssue e = onlyError(seedWith("\"name\": \"relu2\"", "\"name\": \"relu1\""));
    assertEquals("$.layers[3].name", e.path());
    assertTrue(e.message().contains("duplicate layer name 'relu1' (first used at $.layers[1])"), e.message());
  }

  /** One logit vector per sample ([C]) or per position ([T, C]); a rank-3 output is neither. */
  @Test
  void shapeMismatchAtTheLoss() {
    String json =
        """
        {"format": "rosetta/v1", "input": {"shape": [4, 2, 5]},
         "layers": [{"type": "dense", "name": "fc", "units": 3}],
         "loss": {"type": "cross_entropy"}, "optimizer": {"type": "sgd", "learning_rate": 0.1}}
        """;
    SpecIssue e = onlyError(json);
    assertEquals("$.loss", e.path());
    assertEquals("fc", e.layer());
    assertTrue(e.message().startsWith("shape mismatch: cross_entropy needs one logit vector per sample"), e.message());
    assertTrue(e.message().contains("outputs [4, 2, 3]"), e.message());
  }

  @Test
  void unknownTopLevelKey() {
    SpecIssue e = onlyError(seedWith("\"name\": \"seed-mlp\",", "\"name\": \"seed-mlp\", \"lr\": 0.1,"));
    assertEquals("$.lr", e.path());
    assertNull(e.layer());
    assertTrue(e.message().contains("unknown field \"lr\""), e.message());
  }

  @Test
  void unknownLayerKeyNamesTheLayer() {
    SpecIssue e = onlyError(seedWith("\"units\": 64", "\"units\": 64, \"activation\": \"relu\""));
    assertEquals("$.layers[2].activation", e.path());
    assertEquals("fc2", e.layer());
  }

  @Test
  void wrongFormatTag() {
    SpecIssue e = onlyError(seedWith("rosetta/v1", "rosetta/v9"));
    assertEquals("$.format", e.path());
  }

  @Test
  void invalidJsonSaysWhere() {
    SpecIssue e = onlyError("{\"format\": \"rosetta/v1\",\n \"layers\": [,]}");
    assertEquals("$", e.path());
    assertTrue(e.message().contains("line 2"), e.message());
  }

  @Test
  void everyErrorIsReportedAtOnce() {
    String json =
        seedWith("\"units\": 64", "\"units\": 0")
            .replace("\"learning_rate\": 0.01", "\"learning_rate\": -1")
            .replace("\"batch_size\": 64", "\"batch_size\": 0")
            .replace("\"name\": \"relu2\"", "\"name\": \"relu1\"");
    List<SpecIssue> e = errors(json);
    assertEquals(
        List.of("$.layers[2].units", "$.layers[3].name", "$.optimizer.learning_rate", "$.training.batch_size"),
        e.stream().map(SpecIssue::path).sorted().toList());
  }

  @Test
  void structuralErrorsAreAllReportedToo() {
    String json = seedWith("\"type\": \"relu\", \"name\": \"relu1\"", "\"type\": \"nope\", \"name\": \"relu1\"")
        .replace("\"units\": 64", "\"units\": true")
        .replace("\"cross_entropy\"", "\"hinge\"");
    assertEquals(3, errors(json).size());
  }

  @Test
  void optimizerAndDropoutRanges() {
    assertEquals("$.optimizer.momentum", onlyError(seedWith("\"learning_rate\": 0.01", "\"learning_rate\": 0.01, \"momentum\": 1.5")).path());
    assertEquals("$.optimizer.nesterov", onlyError(seedWith("\"learning_rate\": 0.01", "\"learning_rate\": 0.01, \"nesterov\": true")).path());
    SpecIssue d = onlyError(seedWith("{\"type\": \"relu\", \"name\": \"relu2\"}", "{\"type\": \"dropout\", \"name\": \"drop\", \"rate\": 1.0}"));
    assertEquals("$.layers[3].rate", d.path());
    assertEquals("drop", d.layer());
  }

  @Test
  void warnsAboutSoftmaxBeforeFromLogitsCrossEntropy() {
    String json = seedWith("{\"type\": \"dense\", \"name\": \"fc3\", \"units\": 10}]",
        "{\"type\": \"dense\", \"name\": \"fc3\", \"units\": 10}, {\"type\": \"softmax\", \"name\": \"probs\"}]");
    SpecJson.ParseResult r = SpecJson.parseWithReport(json, "tf-mistake");
    assertFalse(r.report().hasErrors());
    assertEquals(1, r.report().warnings().size());
    SpecIssue w = r.report().warnings().get(0);
    assertEquals("probs", w.layer());
    assertEquals("$.layers[5]", w.path());
    assertTrue(w.message().contains("softmax before cross_entropy"), w.message());
    // The seed spec itself is clean.
    assertTrue(SpecJson.parseWithReport(SEED, "seed").report().issues().isEmpty());
  }

  @Test
  void builderReportsTheSameErrors() {
    SpecException e =
        assertThrows(SpecException.class, () ->
            ModelSpec.builder().setInput(4).dense("fc", 0).dense("fc", 2)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build());
    assertEquals(List.of("$.layers[0].units", "$.layers[1].name"), e.issues().stream().map(SpecIssue::path).toList());
    assertTrue(e.getMessage().contains("fc.units must be > 0 (got 0)"), e.getMessage());
  }

  @Test
  void missingFileIsAClearError() {
    SpecException e = assertThrows(SpecException.class, () -> SpecJson.read(Path.of("no/such/spec.json")));
    assertTrue(e.getMessage().contains("file not found: no/such/spec.json"), e.getMessage());
  }

  // ---- leaky_relu, elu, gelu, reshape ----

  /** A spec reading {@code [784]} whose layer list is exactly {@code layers} (JSON objects). */
  static String withLayers(String layers) {
    return """
        {"format": "rosetta/v1", "name": "v", "input": {"shape": [784]}, "layers": [%s],
         "loss": {"type": "mse"}, "optimizer": {"type": "sgd", "learning_rate": 0.01}}
        """.formatted(layers);
  }

  @Test
  void visionLayersRoundTripWithEveryFieldExplicit() {
    CheckedSpec s =
        ModelSpec.builder().setInput(784).reshape("img", 1, 28, -1).dense("fc", 8)
            .leakyRelu("lrelu", 0.2).elu("elu", 0.5).gelu("gelu").flatten("flat").dense("out", 3)
            .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    String json = SpecJson.write(s);
    assertEquals(s, SpecJson.parse(json, "round trip"));
    assertTrue(json.contains("\"negative_slope\" : 0.2"), json);
    assertTrue(json.contains("\"alpha\" : 0.5"), json);
    // The -1 is kept as written: the spec says what its author wrote, inference resolves it.
    assertTrue(json.replaceAll("\\s", "").contains("\"shape\":[1,28,-1]"), json);
  }

  @Test
  void visionLayerDefaults() {
    CheckedSpec s = SpecJson.parse(withLayers(
        "{\"type\": \"leaky_relu\", \"name\": \"a\"}, {\"type\": \"elu\", \"name\": \"b\"},"
            + " {\"type\": \"gelu\", \"name\": \"c\"}"), "defaults");
    assertEquals(new Layer.LeakyRelu("a", 0.01), s.layers().get(0));
    assertEquals(new Layer.Elu("b", 1.0), s.layers().get(1));
    assertEquals(new Layer.Gelu("c"), s.layers().get(2));
    assertEquals(List.of("leaky_relu", "elu", "gelu"), s.layers().stream().map(Layer::type).toList());
    // The builder's one-argument constructors give the same defaults.
    assertEquals(new Layer.LeakyRelu("a"), s.layers().get(0));
    assertEquals(new Layer.Elu("b"), s.layers().get(1));
  }

  @Test
  void activationParameterRanges() {
    SpecIssue l = onlyError(withLayers("{\"type\": \"leaky_relu\", \"name\": \"lr\", \"negative_slope\": -0.1}"));
    assertEquals("$.layers[0].negative_slope", l.path());
    assertEquals("lr", l.layer());
    assertTrue(l.message().contains("lr.negative_slope must be >= 0"), l.message());
    // 0 is a legal slope (it is relu).
    SpecJson.parse(withLayers("{\"type\": \"leaky_relu\", \"name\": \"lr\", \"negative_slope\": 0}"), "zero slope");

    for (String alpha : List.of("0", "-1")) {
      SpecIssue e = onlyError(withLayers("{\"type\": \"elu\", \"name\": \"e1\", \"alpha\": " + alpha + "}"));
      assertEquals("$.layers[0].alpha", e.path());
      assertEquals("e1", e.layer());
      assertTrue(e.message().contains("e1.alpha must be > 0"), e.message());
    }
    SpecIssue t = onlyError(withLayers("{\"type\": \"elu\", \"name\": \"e1\", \"alpha\": \"big\"}"));
    assertEquals("$.layers[0].alpha", t.path());
    SpecJson.parse(withLayers("{\"type\": \"gelu\", \"name\": \"g\", \"approximate\": \"tanh\"}"), "tanh gelu");
    SpecIssue k = onlyError(withLayers("{\"type\": \"gelu\", \"name\": \"g\", \"approximate\": \"fast\"}"));
    assertEquals("$.layers[0].approximate", k.path());
    assertEquals("g", k.layer());
    assertTrue(k.message().contains("approximate must be one of \"none\", \"tanh\""), k.message());
  }

  @Test
  void reshapeElementCountMismatchNamesTheLayerAndBothShapes() {
    SpecIssue e = onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"reshape1\", \"shape\": [3, 32, 32]}"));
    assertEquals("$.layers[0].shape", e.path());
    assertEquals("reshape1", e.layer());
    assertEquals("reshape1: cannot reshape [784] (784 values) to [3, 32, 32] (3072 values)", e.message());

    SpecIssue m = onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": [5, -1]}"));
    assertEquals("$.layers[0].shape", m.path());
    assertEquals("r: cannot reshape [784] (784 values) to [5, -1]: 784 is not a multiple of 5", m.message());
  }

  @Test
  void reshapeDimensionErrors() {
    SpecIssue two = onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": [-1, 28, -1]}"));
    assertEquals("$.layers[0].shape", two.path());
    assertEquals("r", two.layer());
    assertTrue(two.message().contains("only one dimension may be -1"), two.message());

    for (String dims : List.of("[0, 784]", "[-2, -392]", "[28, -28]")) {
      List<SpecIssue> es = errors(withLayers("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": " + dims + "}"));
      assertFalse(es.isEmpty());
      for (SpecIssue e : es) {
        assertEquals("$.layers[0].shape", e.path(), dims);
        assertEquals("r", e.layer());
        assertTrue(e.message().contains("is not allowed"), e.message());
      }
    }
    assertEquals("$.layers[0].shape", onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": []}")).path());
    SpecIssue huge = onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": [2147483647, 2147483647, 2147483647]}"));
    assertEquals("$.layers[0].shape", huge.path());
    assertTrue(huge.message().contains("more values than any tensor can hold"), huge.message());
    SpecIssue wide = onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": [1, -1]}")
        .replace("[784]", "[65536, 65536]"));
    assertEquals("r: the -1 in [1, -1] would be 4294967296, too large for one axis", wide.message());
    assertEquals("$.layers[0].shape", onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"r\"}")).path());
    assertEquals("$.layers[0].shape[1]", onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": [28, 2.5]}")).path());
    assertEquals("$.layers[0].shape", onlyError(withLayers("{\"type\": \"reshape\", \"name\": \"r\", \"shape\": 784}")).path());
  }

  @Test
  void aReshapeErrorStopsInferenceButLaterLayersAreStillChecked() {
    List<SpecIssue> es = errors(withLayers(
        "{\"type\": \"reshape\", \"name\": \"r\", \"shape\": [3, 32, 32]}, {\"type\": \"elu\", \"name\": \"e\", \"alpha\": 0}"));
    assertEquals(List.of("$.layers[0].shape", "$.layers[1].alpha"), es.stream().map(SpecIssue::path).toList());
  }
}
