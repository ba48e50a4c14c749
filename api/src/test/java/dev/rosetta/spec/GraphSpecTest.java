package dev.rosetta.spec;

import static dev.rosetta.spec.ConvSpecTest.image;
import static dev.rosetta.spec.SpecJsonTest.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Layers that name their inputs, add and concat: wiring, validation, shapes, JSON. */
class GraphSpecTest {
  /** A residual block on a [4, 8, 8] input: conv -> bn -> relu -> conv -> add(input) -> relu. */
  static final String RESIDUAL =
      """
      {"type": "conv2d", "name": "c1", "filters": 4, "kernel": 3, "padding": "same"},
      {"type": "batch_norm", "name": "bn1"},
      {"type": "relu", "name": "r1"},
      {"type": "conv2d", "name": "c2", "filters": 4, "kernel": 3, "padding": "same"},
      {"type": "add", "name": "sum", "inputs": ["c2", "input"]},
      {"type": "relu", "name": "r2"},
      {"type": "global_avg_pool2d", "name": "gap"}
      """;

  @Test
  void residualBlockWiresShapesAndRoundTrips() {
    CheckedSpec s = SpecJson.parse(image("[4, 8, 8]", RESIDUAL), "test");
    assertTrue(s.spec().isGraph());
    assertEquals(List.of("c2", "input"), s.spec().inputsOf(4));
    assertEquals(List.of("sum"), s.spec().inputsOf(5), "a layer without inputs reads its predecessor");
    assertEquals(List.of("input"), s.spec().inputsOf(0));
    List<LayerShape> shapes = s.shapes();
    assertEquals(Shape.of(4, 8, 8), shapes.get(4).output());
    assertEquals(Shape.of(4), s.output());

    String canonical = SpecJson.write(s);
    assertTrue(canonical.contains("\"inputs\" : [ \"c2\", \"input\" ]"), canonical);
    assertEquals(1, canonical.split("\"inputs\"", -1).length - 1, "only the explicit wiring is written");
    assertEquals(s, SpecJson.parse(canonical, "canonical"));
  }

  @Test
  void builderMakesTheSameGraph() {
    CheckedSpec built = ModelSpec.builder().optName("v").setInput(4, 8, 8)
        .add(new Layer.Conv2d("c1", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1, true, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .batchNorm("bn1").relu("r1")
        .add(new Layer.Conv2d("c2", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1, true, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .addOf("sum", "c2", "input").relu("r2").globalAvgPool2d("gap")
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.01)).build();
    assertEquals(SpecJson.parse(image("[4, 8, 8]", RESIDUAL), "test"), built);
  }

  @Test
  void aStackIsNotAGraphAndWritesNoInputs() {
    CheckedSpec s = SpecJson.parse(image("[1, 4, 4]", "{\"type\": \"flatten\", \"name\": \"f\", \"inputs\": [\"input\"]}, {\"type\": \"dense\", \"name\": \"d\", \"units\": 2}"), "t");
    assertFalse(s.spec().isGraph(), "inputs equal to the default are the default");
    assertFalse(SpecJson.write(s).contains("inputs"));
  }

  @Test
  void concatAddsUpTheAxisAndAcceptsNegativeAxes() {
    String layers = """
        {"type": "conv2d", "name": "a", "filters": 3, "kernel": 1},
        {"type": "conv2d", "name": "b", "filters": 5, "kernel": 1, "inputs": ["input"]},
        {"type": "concat", "name": "cat", "axis": 0, "inputs": ["a", "b"]},
        {"type": "flatten", "name": "f"},
        {"type": "dense", "name": "v1", "units": 6},
        {"type": "dense", "name": "v2", "units": 4, "inputs": ["f"]},
        {"type": "concat", "name": "cat2", "axis": -1, "inputs": ["v1", "v2", "v1"]}
        """;
    CheckedSpec s = SpecJson.parse(image("[2, 4, 4]", layers), "t");
    List<LayerShape> shapes = s.shapes();
    assertEquals(Shape.of(8, 4, 4), shapes.get(2).output());
    assertEquals(Shape.of(16), shapes.get(6).output());
  }

  @Test
  void addShapeMismatchNamesBothInputs() {
    String layers = """
        {"type": "conv2d", "name": "c", "filters": 8, "kernel": 3, "padding": 1},
        {"type": "add", "name": "res", "inputs": ["c", "input"]}
        """;
    SpecIssue e = onlyError(image("[4, 8, 8]", layers));
    assertEquals("$.layers[1].inputs[1]", e.path());
    assertEquals("res", e.layer());
    assertTrue(e.message().contains("shape mismatch at add 'res': 'c' gives [8, 8, 8] but 'input' gives [4, 8, 8]"), e.message());
  }

  @Test
  void concatMismatchOnAnotherAxisAndAxisOutOfRange() {
    String bad = """
        {"type": "conv2d", "name": "c", "filters": 2, "kernel": 3},
        {"type": "concat", "name": "cat", "inputs": ["c", "input"]}
        """;
    SpecIssue e = onlyError(image("[4, 8, 8]", bad));
    assertTrue(e.message().contains("shape mismatch at concat 'cat': 'c' gives [2, 6, 6] but 'input' gives [4, 8, 8]"), e.message());
    SpecIssue axis = onlyError(image("[4, 8, 8]", "{\"type\": \"relu\", \"name\": \"r\"}, {\"type\": \"concat\", \"name\": \"cat\", \"axis\": 3, \"inputs\": [\"r\", \"input\"]}"));
    assertEquals("$.layers[1].axis", axis.path());
    assertTrue(axis.message().contains("out of range for inputs of rank 3"), axis.message());
  }

  @Test
  void aCycleIsReportedAsOneWithItsPath() {
    String layers = """
        {"type": "relu", "name": "a", "inputs": ["c"]},
        {"type": "relu", "name": "b"},
        {"type": "relu", "name": "c"}
        """;
    SpecIssue e = onlyError(image("[4]", layers));
    assertEquals("$.layers[0].inputs[0]", e.path());
    assertEquals("a", e.layer());
    assertTrue(e.message().contains("inputs form a cycle: 'a' reads 'c' reads 'b' reads 'a'"), e.message());
  }

  @Test
  void selfLoopForwardReferenceAndUnknownName() {
    SpecIssue self = onlyError(image("[4]", "{\"type\": \"relu\", \"name\": \"a\", \"inputs\": [\"a\"]}"));
    assertTrue(self.message().contains("reads itself"), self.message());

    String forward = """
        {"type": "relu", "name": "a", "inputs": ["b"]},
        {"type": "relu", "name": "b", "inputs": ["input"]}
        """;
    SpecIssue fwd = onlyError(image("[4]", forward));
    assertTrue(fwd.message().contains("reads 'b', which is defined after it (at $.layers[1])"), fwd.message());

    SpecIssue unknown = onlyError(image("[4]", "{\"type\": \"relu\", \"name\": \"a\"}, {\"type\": \"relu\", \"name\": \"b\", \"inputs\": [\"nope\"]}"));
    assertEquals("$.layers[1].inputs[0]", unknown.path());
    assertTrue(unknown.message().contains("unknown input 'nope' (it can read: input, a)"), unknown.message());
  }

  @Test
  void arityAndReservedName() {
    SpecIssue join = onlyError(image("[4]", "{\"type\": \"add\", \"name\": \"s\"}"));
    assertTrue(join.message().contains("joins two or more inputs, got 1"), join.message());
    SpecIssue two = onlyError(image("[4]", "{\"type\": \"relu\", \"name\": \"a\"}, {\"type\": \"relu\", \"name\": \"b\", \"inputs\": [\"a\", \"input\"]}"));
    assertTrue(two.message().contains("reads one input, got 2"), two.message());
    SpecIssue reserved = onlyError(image("[4]", "{\"type\": \"relu\", \"name\": \"input\"}"));
    assertTrue(reserved.message().contains("reserved"), reserved.message());
    SpecIssue type = onlyError(image("[4]", "{\"type\": \"relu\", \"name\": \"a\", \"inputs\": \"input\"}"));
    assertEquals("$.layers[0].inputs", type.path());
  }

  @Test
  void unreadLayerIsAWarning() {
    String layers = """
        {"type": "relu", "name": "side"},
        {"type": "tanh", "name": "main", "inputs": ["input"]}
        """;
    ValidationReport r = SpecJson.parseWithReport(image("[4]", layers), "t").report();
    assertFalse(r.hasErrors(), r.issues().toString());
    assertTrue(r.issues().stream().anyMatch(i -> i.severity() == SpecIssue.Severity.WARNING
        && "side".equals(i.layer()) && i.message().contains("never read")), r.issues().toString());
  }

  @Test
  void batchNormParametersBuffersAndChecks() {
    CheckedSpec s = SpecJson.parse(image("[3, 4, 4]", "{\"type\": \"batch_norm\", \"name\": \"bn\", \"momentum\": 0.3, \"epsilon\": 0.001}"), "t");
    assertEquals(new Layer.BatchNorm("bn", 0.3, 0.001), s.layers().get(0));
    List<ParamSpec> p = s.params();
    assertEquals(List.of("bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"), p.stream().map(ParamSpec::name).toList());
    assertEquals(List.of(true, true, false, false), p.stream().map(ParamSpec::trainable).toList());
    assertEquals(List.of(Init.ONES, Init.ZEROS, Init.ZEROS, Init.ONES), p.stream().map(ParamSpec::init).toList());
    assertEquals(Shape.of(3), p.get(2).shape());
    assertEquals(6, s.paramCount(), "buffers are not trainable parameters");
    assertEquals(new Layer.BatchNorm("bn"), SpecJson.parse(image("[5]", "{\"type\": \"batch_norm\", \"name\": \"bn\"}"), "t").layers().get(0));

    SpecIssue keras = onlyError(image("[5]", "{\"type\": \"batch_norm\", \"name\": \"bn\", \"momentum\": 1.5}"));
    assertTrue(keras.message().contains("PyTorch's convention"), keras.message());
    SpecIssue eps = onlyError(image("[5]", "{\"type\": \"batch_norm\", \"name\": \"bn\", \"epsilon\": 0}"));
    assertEquals("$.layers[0].epsilon", eps.path());
    SpecIssue rank = onlyError(image("[2, 5]", "{\"type\": \"batch_norm\", \"name\": \"bn\"}"));
    assertTrue(rank.message().contains("needs a [features] or [channels, height, width] sample, got [2, 5]"), rank.message());
  }

  @Test
  void layerNormShapesAndChecks() {
    CheckedSpec s = SpecJson.parse(image("[3, 4, 5]", "{\"type\": \"layer_norm\", \"name\": \"ln\", \"axes\": 2}"), "t");
    List<ParamSpec> p = s.params();
    assertEquals(Shape.of(4, 5), p.get(0).shape());
    assertEquals(List.of("ln.weight", "ln.bias"), p.stream().map(ParamSpec::name).toList());
    assertEquals(new Layer.LayerNorm("ln"), SpecJson.parse(image("[5]", "{\"type\": \"layer_norm\", \"name\": \"ln\"}"), "t").layers().get(0));
    SpecIssue tooMany = onlyError(image("[5]", "{\"type\": \"layer_norm\", \"name\": \"ln\", \"axes\": 2}"));
    assertTrue(tooMany.message().contains("axes 2 is more than the 1 axes of its input [5]"), tooMany.message());
  }

  @Test
  void graphWalkGivesEachLayerItsInputsInOrder() {
    CheckedSpec s = SpecJson.parse(image("[4, 8, 8]", RESIDUAL), "test");
    List<String> seen = s.walk("x", (layer, ins) -> layer.layer().name() + ins);
    assertEquals("sum[c2[r1[bn1[c1[x]]]], x]", seen.get(4));
    assertEquals("gap[r2[sum[c2[r1[bn1[c1[x]]]], x]]]", s.forward("x", (layer, ins) -> layer.layer().name() + ins));
    // Only validation makes a CheckedSpec, so a walk cannot meet an unknown input.
    ModelSpec broken = new ModelSpec("b", Shape.of(4), List.of(new Layer.Relu("a")), java.util.Map.of("a", List.of("zz")),
        new Loss.Mse(), new Optimizer.Sgd(0.1), Training.DEFAULT);
    assertThrows(SpecException.class, broken::check);
  }

  @Test
  void aBatchOfOneForAVectorBatchNormIsRefusedBeforeTraining() {
    CheckedSpec s = ModelSpec.builder().setInput(4).dense("fc", 3).batchNorm("bn").dense("out", 2)
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).optTraining(1, 16, 1, true).build();
    dev.rosetta.train.TrainingLoop.requireBatchStatistics(s, 96);
    var e = assertThrows(dev.rosetta.data.DataException.class, () -> dev.rosetta.train.TrainingLoop.requireBatchStatistics(s, 97));
    assertEquals("batch_norm 'bn' needs at least 2 samples per training batch, but 97 training samples in batches of 16 leave a last batch of 1; choose another batch_size", e.getMessage());
    CheckedSpec image = ModelSpec.builder().setInput(1, 4, 4).batchNorm("bn").flatten("f").dense("out", 2)
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).optTraining(1, 16, 1, true).build();
    dev.rosetta.train.TrainingLoop.requireBatchStatistics(image, 97);
  }
}
