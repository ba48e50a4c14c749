package dev.rosetta.spec;

import java.util.List;

/**
 * What validation knows about one layer of a checked spec: where it sits, the shapes of what it
 * reads, its output shape and the parameters it owns. Computed once, carried by {@link
 * CheckedSpec} to every lowering.
 *
 * @param index the layer's position in {@code layers}
 * @param inputs the per-sample shapes of everything the layer reads, in order
 * @param options how training treats the layer (frozen, learning-rate multiplier, penalties)
 */
public record LayerShape(
    int index, Layer layer, List<Shape> inputs, Shape output, List<ParamSpec> params, LayerOptions options) {
  public LayerShape {
    inputs = List.copyOf(inputs);
    params = List.copyOf(params);
  }

  /** A layer trained like any other. */
  public LayerShape(int index, Layer layer, List<Shape> inputs, Shape output, List<ParamSpec> params) {
    this(index, layer, inputs, output, params, LayerOptions.DEFAULT);
  }

  /** The parameters the optimizer updates: none when the layer is frozen, never buffers. */
  public List<ParamSpec> trainedParams() {
    return options.trainable() ? params.stream().filter(ParamSpec::trainable).toList() : List.of();
  }

  /** The shape of the (first) input. */
  public Shape input() {
    return inputs.get(0);
  }

  /** Trainable parameter values (running statistics and other buffers not counted). */
  public long paramCount() {
    return params.stream().filter(ParamSpec::trainable).mapToLong(p -> p.shape().size()).sum();
  }
}
