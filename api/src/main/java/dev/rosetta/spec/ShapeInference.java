package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Shape inference: a pure function per layer, no native code. Gives every layer's output shape
 * and the parameters it owns, which fixes the canonical parameter names and layouts for every
 * backend.
 */
public final class ShapeInference {
  private ShapeInference() {}

  /** Per-layer shapes of a spec that has passed validation. */
  public static List<LayerShape> infer(ModelSpec spec) {
    List<LayerShape> out = new ArrayList<>();
    Shape current = spec.input();
    for (Layer layer : spec.layers()) {
      LayerShape ls = inferLayer(layer, current);
      out.add(ls);
      current = ls.output();
    }
    return out;
  }

  /** Output shape of the whole model for one sample. */
  public static Shape outputShape(ModelSpec spec) {
    List<LayerShape> shapes = infer(spec);
    return shapes.isEmpty() ? spec.input() : shapes.get(shapes.size() - 1).output();
  }

  /** Trainable parameter count of the whole model. */
  public static long paramCount(ModelSpec spec) {
    return infer(spec).stream().mapToLong(LayerShape::paramCount).sum();
  }

  /** Every parameter and buffer of the model, in layer order. */
  public static List<ParamSpec> params(ModelSpec spec) {
    return infer(spec).stream().flatMap(l -> l.params().stream()).toList();
  }

  /**
   * One layer's shapes. The caller guarantees the input is acceptable (see {@link
   * SpecValidator}), so this never fails on a validated spec.
   */
  public static LayerShape inferLayer(Layer layer, Shape in) {
    return layer.accept(
        new Layer.Visitor<LayerShape>() {
          @Override
          public LayerShape dense(Layer.Dense d) {
            int fanIn = in.dim(-1);
            List<ParamSpec> params = new ArrayList<>();
            params.add(
                new ParamSpec(
                    d.name() + ".weight", Shape.of(d.units(), fanIn), true, d.weightInit(), fanIn,
                    d.units()));
            if (d.bias()) {
              params.add(
                  new ParamSpec(
                      d.name() + ".bias", Shape.of(d.units()), true, d.biasInit(), fanIn,
                      d.units()));
            }
            return new LayerShape(d, in, in.withLast(d.units()), params);
          }

          @Override
          public LayerShape relu(Layer.Relu l) {
            return same(l);
          }

          @Override
          public LayerShape sigmoid(Layer.Sigmoid l) {
            return same(l);
          }

          @Override
          public LayerShape tanh(Layer.Tanh l) {
            return same(l);
          }

          @Override
          public LayerShape softmax(Layer.Softmax l) {
            return same(l);
          }

          @Override
          public LayerShape flatten(Layer.Flatten l) {
            return new LayerShape(l, in, Shape.of((int) in.size()), List.of());
          }

          @Override
          public LayerShape dropout(Layer.Dropout l) {
            return same(l);
          }

          private LayerShape same(Layer l) {
            return new LayerShape(l, in, in, List.of());
          }
        });
  }
}
