package dev.rosetta.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LayerShapesTest {
  @Test
  void seedMlpShapesAndParameterCount() {
    CheckedSpec s = SpecJson.parse(SpecJsonTest.SEED, "seed");
    List<LayerShape> shapes = s.shapes();
    assertEquals(List.of(Shape.of(128), Shape.of(128), Shape.of(64), Shape.of(64), Shape.of(10)),
        shapes.stream().map(LayerShape::output).toList());
    assertEquals(List.of(100_480L, 0L, 8_256L, 0L, 650L), shapes.stream().map(LayerShape::paramCount).toList());
    assertEquals(109_386L, s.paramCount());
    assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"),
        s.params().stream().map(ParamSpec::name).toList());
    assertEquals(Shape.of(128, 784), s.params().get(0).shape());
  }

  @Test
  void flattenAndDenseOnHigherRankInputs() {
    assertEquals(Shape.of(784), LayerShapes.infer(new Layer.Flatten("f"), Shape.of(1, 28, 28)).output());
    LayerShape d = LayerShapes.infer(new Layer.Dense("d", 7, false, Init.XAVIER_UNIFORM, Init.ZEROS), Shape.of(3, 4));
    assertEquals(Shape.of(3, 7), d.output());
    assertEquals(28, d.paramCount());
    assertEquals(1, d.params().size());
  }

  @Test
  void elementwiseLayersKeepTheShape() {
    Shape in = Shape.of(2, 3);
    for (Layer l : List.of(new Layer.Relu("a"), new Layer.Sigmoid("b"), new Layer.Tanh("c"), new Layer.Softmax("d"), new Layer.Dropout("e", 0.5),
        new Layer.LeakyRelu("f"), new Layer.Elu("g", 0.5), new Layer.Gelu("h"), new Layer.Gelu("i", Layer.Gelu.Approximation.TANH),
        new Layer.Silu("j"))) {
      assertEquals(in, LayerShapes.infer(l, in).output(), l.type());
      assertEquals(0, LayerShapes.infer(l, in).paramCount(), l.type());
    }
  }

  @Test
  void reshapeResolvesMinusOneAndOwnsNoParameters() {
    LayerShape r = LayerShapes.infer(new Layer.Reshape("r", 1, -1, 28), Shape.of(784));
    assertEquals(Shape.of(1, 28, 28), r.output());
    assertEquals(0, r.paramCount());
    assertEquals(Shape.of(3, 4), LayerShapes.infer(new Layer.Reshape("r", 3, 4), Shape.of(12)).output());
    assertEquals(Shape.of(12), LayerShapes.infer(new Layer.Reshape("r", -1), Shape.of(2, 2, 3)).output());
    // A dense layer after the reshape works on the new last axis.
    CheckedSpec s = ModelSpec.builder().setInput(12).reshape("r", -1, 4).dense("fc", 2).flatten("flat")
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    assertEquals(List.of(Shape.of(3, 4), Shape.of(3, 2), Shape.of(6)),
        s.shapes().stream().map(LayerShape::output).toList());
    assertEquals(4 * 2 + 2, s.paramCount());
  }
}
