package dev.rosetta.spec;

import java.util.List;

/** What shape inference knows about one layer: its input, output and parameters. */
public record LayerShape(Layer layer, Shape input, Shape output, List<ParamSpec> params) {
  public LayerShape {
    params = List.copyOf(params);
  }

  public long paramCount() {
    return params.stream().filter(ParamSpec::trainable).mapToLong(p -> p.shape().size()).sum();
  }
}
