package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.rosetta.spec.CheckedSpec;
import java.util.List;

/**
 * The whole model as one DJL block: one child per IR layer, executed by {@link CheckedSpec#walk}, so
 * a stack and a graph (skip connections, joins) run through the same code. Each child is given
 * the arrays of the layers it reads, in the order the spec names them. For a plain stack this
 * does what DJL's SequentialBlock did: the same child forwards on the same arrays, in order.
 */
final class GraphBlock extends AbstractBlock {
  private final CheckedSpec spec;
  private final List<Block> layers;

  GraphBlock(CheckedSpec spec, List<Block> perLayer) {
    if (perLayer.size() != spec.layers().size()) {
      throw new IllegalArgumentException(perLayer.size() + " blocks for " + spec.layers().size() + " layers");
    }
    this.spec = spec;
    this.layers = List.copyOf(perLayer);
    for (int i = 0; i < perLayer.size(); i++) {
      addChildBlock(spec.layers().get(i).name(), perLayer.get(i));
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray out =
        spec.forward(
            inputs.singletonOrThrow(),
            (layer, ins) -> layers.get(layer.index()).forward(store, new NDList(ins), training).singletonOrThrow());
    return new NDList(out);
  }

  /**
   * Initialises each child with the shapes of everything it reads, as validation found them,
   * with a batch of one prepended (DJL only uses them to size parameters).
   */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (var layer : spec.shapes()) {
      Shape[] batched = layer.inputs().stream().map(s -> PytorchLowering.djlShape(s.withBatch(1))).toArray(Shape[]::new);
      layers.get(layer.index()).initialize(manager, dataType, batched);
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    int batch = Math.toIntExact(inputShapes[0].get(0));
    return new Shape[] {PytorchLowering.djlShape(spec.output().withBatch(batch))};
  }
}
