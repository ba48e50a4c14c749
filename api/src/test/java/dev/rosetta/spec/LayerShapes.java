package dev.rosetta.spec;

import java.util.List;

/** One layer's shapes outside a spec, for tests of a kind's output and parameters. */
final class LayerShapes {
  private LayerShapes() {}

  static LayerShape infer(Layer layer, Shape... inputs) {
    List<Shape> ins = List.of(inputs);
    return new LayerShape(0, layer, ins, layer.output(ins), layer.params(ins.get(0)));
  }

  static LayerShape infer(Layer layer, List<Shape> inputs) {
    return infer(layer, inputs.toArray(Shape[]::new));
  }
}
