package dev.rosetta.spec;

import static dev.rosetta.spec.SpecJsonTest.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** conv2d in the IR: JSON forms and defaults, validation errors, shapes and parameters. */
class ConvSpecTest {
  /** A spec reading one {@code [1, 28, 28]} image whose layer list is {@code layers}. */
  static String image(String layers) {
    return image("[1, 28, 28]", layers);
  }

  static String image(String shape, String layers) {
    return """
        {"format": "rosetta/v1", "name": "v", "input": {"shape": %s}, "layers": [%s],
         "loss": {"type": "mse"}, "optimizer": {"type": "sgd", "learning_rate": 0.01}}
        """.formatted(shape, layers);
  }

  static Layer.Conv2d parseOne(String layer) {
    return (Layer.Conv2d) SpecJson.parse(image(layer), "test").layers().get(0);
  }

  @Test
  void defaultsArePytorchs() {
    Layer.Conv2d c = parseOne("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 8, \"kernel\": 3}");
    assertEquals(new Layer.Conv2d("c", 8, 3), c);
    assertEquals(Layer.Hw.of(1), c.stride());
    assertEquals(Layer.Padding.explicit(0, 0), c.padding());
    assertEquals(Layer.Hw.of(1), c.dilation());
    assertEquals(1, c.groups());
    assertTrue(c.bias());
    assertEquals(Init.UNIFORM_FAN_IN, c.weightInit());
    assertEquals(Init.UNIFORM_FAN_IN, c.biasInit());
  }

  @Test
  void pairsPaddingModesAndRoundTrip() {
    Layer.Conv2d c = parseOne(
        "{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 4, \"kernel\": [3, 2], \"stride\": [2, 1],"
            + " \"padding\": [1, 0], \"dilation\": 2, \"bias\": false, \"weight_init\": \"kaiming_uniform\"}");
    assertEquals(new Layer.Hw(3, 2), c.kernel());
    assertEquals(new Layer.Hw(2, 1), c.stride());
    assertEquals(Layer.Padding.explicit(1, 0), c.padding());
    assertEquals(Layer.Hw.of(2), c.dilation());
    assertEquals(Layer.Padding.explicit(0, 0),
        parseOne("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 1, \"kernel\": 3, \"padding\": \"valid\"}").padding(),
        "valid is no padding");
    assertEquals(Layer.Padding.sameAsInput(),
        parseOne("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 1, \"kernel\": 3, \"padding\": \"same\"}").padding());
    assertEquals(Layer.Padding.explicit(2, 2),
        parseOne("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 1, \"kernel\": 3, \"padding\": 2}").padding());

    CheckedSpec s = ModelSpec.builder().setInput(2, 8, 8)
        .add(new Layer.Conv2d("a", 4, new Layer.Hw(3, 2), new Layer.Hw(2, 1), Layer.Padding.explicit(1, 0),
            Layer.Hw.of(2), 2, false, Init.KAIMING_UNIFORM, Init.ZEROS))
        .add(new Layer.Conv2d("b", 2, Layer.Hw.of(2), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1, true,
            Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .flatten("f").setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    String json = SpecJson.write(s);
    assertEquals(s, SpecJson.parse(json, "round trip"));
    String flat = json.replaceAll("\\s", "");
    // Canonical JSON writes every pair in full, and "same" as the word.
    assertTrue(flat.contains("\"kernel\":[3,2],\"stride\":[2,1],\"padding\":[1,0],\"dilation\":[2,2],\"groups\":2,\"bias\":false"), json);
    assertTrue(flat.contains("\"padding\":\"same\""), json);
  }

  @Test
  void shapesAndParameters() {
    CheckedSpec s = SpecJson.parse(image(
        "{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 8, \"kernel\": 3, \"padding\": 1}, {\"type\": \"flatten\", \"name\": \"f\"}"), "t");
    LayerShape c = s.shapes().get(0);
    assertEquals(Shape.of(8, 28, 28), c.output());
    assertEquals(Shape.of(8, 1, 3, 3), c.params().get(0).shape());
    assertEquals("c.weight", c.params().get(0).name());
    assertEquals(Shape.of(8), c.params().get(1).shape());
    // PyTorch's fan_in for the uniform bound: in / groups * kh * kw.
    assertEquals(9, c.params().get(0).fanIn());
    assertEquals(9, c.params().get(1).fanIn());
    assertEquals(8 * 9 + 8, c.paramCount());
    assertEquals(Shape.of(8 * 28 * 28), s.output());

    Shape in = Shape.of(4, 7, 6);
    Layer.Conv2d g = new Layer.Conv2d("g", 6, new Layer.Hw(3, 2), new Layer.Hw(2, 1), Layer.Padding.explicit(1, 2),
        new Layer.Hw(1, 2), 2, false, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
    LayerShape gs = LayerShapes.infer(g, in);
    // H: (7 + 2 - 2 - 1) / 2 + 1 = 4; W: (6 + 4 - 2 - 1) / 1 + 1 = 8.
    assertEquals(Shape.of(6, 4, 8), gs.output());
    assertEquals(List.of(Shape.of(6, 2, 3, 2)), gs.params().stream().map(ParamSpec::shape).toList());
    assertEquals(2 * 3 * 2, gs.params().get(0).fanIn());
    // "same" keeps H and W, even kernel or not.
    Layer.Conv2d same = new Layer.Conv2d("s", 3, Layer.Hw.of(2), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(3), 1,
        true, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
    assertEquals(Shape.of(3, 7, 6), LayerShapes.infer(same, in).output());
  }

  @Test
  void samePaddingSplitsTheOddExtraToTheBottomRight() {
    Layer.Padding p = Layer.Padding.sameAsInput();
    assertEquals(0, p.top(2, 1));
    assertEquals(1, p.bottom(2, 1));
    assertEquals(1, p.left(3, 1));
    assertEquals(1, p.right(3, 1));
    assertEquals(1, p.top(4, 1));
    assertEquals(2, p.bottom(4, 1));
  }

  @Test
  void kernelLargerThanThePaddedInput() {
    SpecIssue e = onlyError(image("[1, 4, 4]", "{\"type\": \"conv2d\", \"name\": \"conv1\", \"filters\": 2, \"kernel\": 5, \"padding\": [0, 1]}"));
    assertEquals("$.layers[0].kernel", e.path());
    assertEquals("conv1", e.layer());
    assertTrue(e.message().startsWith("conv1: kernel [5, 5]"), e.message());
    assertTrue(e.message().contains("larger than the padded input [4, 6] of [1, 4, 4]"), e.message());
    // Dilation makes the kernel's extent larger: 3 taps at dilation 3 span 7 > 6.
    SpecIssue d = onlyError(image("[1, 6, 6]", "{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2, \"kernel\": 3, \"dilation\": 3}"));
    assertEquals("$.layers[0].kernel", d.path());
    assertTrue(d.message().contains("extent [7, 7]"), d.message());
  }

  @Test
  void negativePadding() {
    SpecIssue e = onlyError(image("{\"type\": \"conv2d\", \"name\": \"conv1\", \"filters\": 2, \"kernel\": 3, \"padding\": [1, -1]}"));
    assertEquals("$.layers[0].padding", e.path());
    assertEquals("conv1", e.layer());
    assertEquals("conv1.padding must be >= 0 (got [1, -1])", e.message());
    SpecIssue word = onlyError(image("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2, \"kernel\": 3, \"padding\": \"full\"}"));
    assertEquals("$.layers[0].padding", word.path());
    assertTrue(word.message().contains("padding must be \"same\", \"valid\", an integer or [height, width]"), word.message());
  }

  @Test
  void sameNeedsStrideOne() {
    SpecIssue e = onlyError(image("{\"type\": \"conv2d\", \"name\": \"conv1\", \"filters\": 2, \"kernel\": 3, \"padding\": \"same\", \"stride\": 2}"));
    assertEquals("$.layers[0].padding", e.path());
    assertEquals("conv1", e.layer());
    assertTrue(e.message().startsWith("conv1.padding \"same\" needs stride 1 (got stride [2, 2])"), e.message());
  }

  @Test
  void groupsMustDivideChannelsAndFilters() {
    SpecIssue in = onlyError(image("[3, 8, 8]", "{\"type\": \"conv2d\", \"name\": \"conv1\", \"filters\": 4, \"kernel\": 3, \"groups\": 2}"));
    assertEquals("$.layers[0].groups", in.path());
    assertEquals("conv1", in.layer());
    assertEquals("conv1.groups 2 must divide the input channels (got 3 channels in [3, 8, 8])", in.message());
    SpecIssue f = onlyError(image("[4, 8, 8]", "{\"type\": \"conv2d\", \"name\": \"conv1\", \"filters\": 3, \"kernel\": 3, \"groups\": 2}"));
    assertEquals("$.layers[0].groups", f.path());
    assertEquals("conv1.groups 2 must divide filters (got 3)", f.message());
    SpecIssue z = onlyError(image("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 4, \"kernel\": 3, \"groups\": 0}"));
    assertEquals("c.groups must be > 0 (got 0)", z.message());
  }

  @Test
  void nonPositiveSizesAndWrongRank() {
    for (String[] bad : List.of(
        new String[] {"\"filters\": 0, \"kernel\": 3", "filters", "c.filters must be > 0 (got 0)"},
        new String[] {"\"filters\": 2, \"kernel\": [3, 0]", "kernel", "c.kernel must be > 0 (got [3, 0])"},
        new String[] {"\"filters\": 2, \"kernel\": 3, \"stride\": 0", "stride", "c.stride must be > 0 (got [0, 0])"},
        new String[] {"\"filters\": 2, \"kernel\": 3, \"dilation\": [-1, 1]", "dilation", "c.dilation must be > 0 (got [-1, 1])"})) {
      SpecIssue e = onlyError(image("{\"type\": \"conv2d\", \"name\": \"c\", " + bad[0] + "}"));
      assertEquals("$.layers[0]." + bad[1], e.path(), bad[0]);
      assertEquals("c", e.layer());
      assertEquals(bad[2], e.message());
    }
    SpecIssue rank = onlyError(image("[784]", "{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2, \"kernel\": 3}"));
    assertEquals("$.layers[0]", rank.path());
    assertEquals("c: conv2d needs a [channels, height, width] sample, got [784] (rank 1)", rank.message());
    SpecIssue missing = onlyError(image("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2}"));
    assertEquals("$.layers[0].kernel", missing.path());
    SpecIssue triple = onlyError(image("{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 2, \"kernel\": [3, 3, 3]}"));
    assertEquals("$.layers[0].kernel", triple.path());
    assertTrue(triple.message().contains("kernel must be an integer or [height, width]"), triple.message());
  }
}
