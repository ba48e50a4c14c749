package dev.rosetta.spec;

import static dev.rosetta.spec.ConvSpecTest.image;
import static dev.rosetta.spec.SpecJsonTest.onlyError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** max_pool2d, avg_pool2d and global_avg_pool2d in the IR: JSON, defaults, errors, shapes. */
class PoolSpecTest {
  static Layer parseOne(String layer) {
    return SpecJson.parse(image(layer), "test").layers().get(0);
  }

  @Test
  void strideDefaultsToTheKernelAndPaddingToZero() {
    assertEquals(new Layer.MaxPool2d("p", 2), parseOne("{\"type\": \"max_pool2d\", \"name\": \"p\", \"kernel\": 2}"));
    assertEquals(new Layer.MaxPool2d("p", new Layer.Hw(3, 2), new Layer.Hw(3, 2), Layer.Hw.of(0)),
        parseOne("{\"type\": \"max_pool2d\", \"name\": \"p\", \"kernel\": [3, 2]}"));
    assertEquals(new Layer.AvgPool2d("p", Layer.Hw.of(3), Layer.Hw.of(1), new Layer.Hw(1, 0)),
        parseOne("{\"type\": \"avg_pool2d\", \"name\": \"p\", \"kernel\": 3, \"stride\": 1, \"padding\": [1, 0]}"));
    assertEquals(new Layer.GlobalAvgPool2d("g"), parseOne("{\"type\": \"global_avg_pool2d\", \"name\": \"g\"}"));
  }

  @Test
  void canonicalJsonRoundTripsWithEveryPairWritten() {
    CheckedSpec s = ModelSpec.builder().setInput(2, 9, 9)
        .maxPool2d("a", 2)
        .add(new Layer.AvgPool2d("b", new Layer.Hw(3, 2), new Layer.Hw(1, 2), new Layer.Hw(1, 0)))
        .globalAvgPool2d("g")
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    String json = SpecJson.write(s);
    assertEquals(s, SpecJson.parse(json, "round trip"));
    String flat = json.replaceAll("\\s", "");
    assertTrue(flat.contains("\"type\":\"max_pool2d\",\"name\":\"a\",\"kernel\":[2,2],\"stride\":[2,2],\"padding\":[0,0]"), json);
    assertTrue(flat.contains("\"type\":\"avg_pool2d\",\"name\":\"b\",\"kernel\":[3,2],\"stride\":[1,2],\"padding\":[1,0]"), json);
    assertTrue(flat.contains("{\"type\":\"global_avg_pool2d\",\"name\":\"g\"}"), json);
  }

  @Test
  void shapes() {
    // The brief's chain: [1, 28, 28] -> conv 3x3 pad 1 -> [8, 28, 28] -> max pool 2 -> [8, 14, 14] -> global -> [8].
    CheckedSpec s = SpecJson.parse(image(
        "{\"type\": \"conv2d\", \"name\": \"c\", \"filters\": 8, \"kernel\": 3, \"padding\": 1},"
            + " {\"type\": \"max_pool2d\", \"name\": \"p\", \"kernel\": 2},"
            + " {\"type\": \"global_avg_pool2d\", \"name\": \"g\"}"), "t");
    List<LayerShape> shapes = s.shapes();
    assertEquals(List.of(Shape.of(8, 28, 28), Shape.of(8, 14, 14), Shape.of(8)), shapes.stream().map(LayerShape::output).toList());
    assertEquals(0, shapes.get(1).paramCount());
    assertEquals(0, shapes.get(2).paramCount());
    // floor((7 + 2 - 3) / 2) + 1 = 4 rows, floor((6 + 0 - 2) / 1) + 1 = 5 columns.
    assertEquals(Shape.of(3, 4, 5), LayerShapes.infer(
        new Layer.AvgPool2d("a", new Layer.Hw(3, 2), new Layer.Hw(2, 1), new Layer.Hw(1, 0)), Shape.of(3, 7, 6)).output());
    // Floor mode: a 5-wide input with kernel 2 gives 2 windows, the last column unused.
    assertEquals(Shape.of(1, 2, 2), LayerShapes.infer(new Layer.MaxPool2d("m", 2), Shape.of(1, 5, 5)).output());
  }

  @Test
  void kernelLargerThanThePaddedInput() {
    SpecIssue e = onlyError(image("[1, 4, 4]", "{\"type\": \"max_pool2d\", \"name\": \"pool1\", \"kernel\": 7, \"padding\": 1}"));
    assertEquals("$.layers[0].kernel", e.path());
    assertEquals("pool1", e.layer());
    assertTrue(e.message().startsWith("pool1: kernel [7, 7] is larger than the padded input [6, 6]"), e.message());
    // 6 fits 4 + 2 * 1 exactly.
    SpecJson.parse(image("[1, 4, 4]", "{\"type\": \"max_pool2d\", \"name\": \"pool1\", \"kernel\": 6, \"padding\": 1}"), "fits");
    SpecIssue a = onlyError(image("[1, 4, 4]", "{\"type\": \"avg_pool2d\", \"name\": \"pool1\", \"kernel\": [7, 2], \"padding\": 1}"));
    assertEquals("$.layers[0].kernel", a.path());
    assertTrue(a.message().contains("larger than the padded input [6, 6] of [1, 4, 4]; the output would be [1, 0, 3]"), a.message());
  }

  @Test
  void paddingMustBeNonNegativeAndAtMostHalfTheKernel() {
    SpecIssue n = onlyError(image("{\"type\": \"avg_pool2d\", \"name\": \"pool1\", \"kernel\": 2, \"padding\": -1}"));
    assertEquals("$.layers[0].padding", n.path());
    assertEquals("pool1", n.layer());
    assertEquals("pool1.padding must be >= 0 (got [-1, -1])", n.message());
    SpecIssue h = onlyError(image("{\"type\": \"max_pool2d\", \"name\": \"pool1\", \"kernel\": 2, \"padding\": [1, 2]}"));
    assertEquals("$.layers[0].padding", h.path());
    assertEquals("pool1.padding [1, 2] must be at most half the kernel [2, 2]", h.message());
  }

  @Test
  void nonPositiveKernelOrStrideAndWrongRank() {
    SpecIssue k = onlyError(image("{\"type\": \"max_pool2d\", \"name\": \"p\", \"kernel\": 0, \"stride\": 1}"));
    assertEquals("$.layers[0].kernel", k.path());
    assertEquals("p.kernel must be > 0 (got [0, 0])", k.message());
    SpecIssue s = onlyError(image("{\"type\": \"avg_pool2d\", \"name\": \"p\", \"kernel\": 2, \"stride\": [1, 0]}"));
    assertEquals("$.layers[0].stride", s.path());
    assertEquals("p.stride must be > 0 (got [1, 0])", s.message());
    for (String layer : List.of(
        "{\"type\": \"max_pool2d\", \"name\": \"p\", \"kernel\": 2}",
        "{\"type\": \"avg_pool2d\", \"name\": \"p\", \"kernel\": 2}",
        "{\"type\": \"global_avg_pool2d\", \"name\": \"p\"}")) {
      SpecIssue r = onlyError(image("[28, 28]", layer));
      assertEquals("$.layers[0]", r.path(), layer);
      assertEquals("p", r.layer());
      assertTrue(r.message().endsWith("needs a [channels, height, width] sample, got [28, 28] (rank 2)"), r.message());
    }
    SpecIssue u = onlyError(image("{\"type\": \"global_avg_pool2d\", \"name\": \"g\", \"kernel\": 2}"));
    assertEquals("$.layers[0].kernel", u.path());
  }
}
