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
import dev.rosetta.spec.Graph;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.ShapeInference;
import java.util.List;

/**
 * The whole model as one DJL block: one child per IR layer, executed by {@link Graph#walk}, so
 * a stack and a graph (skip connections, joins) run through the same code. Each child is given
 * the arrays of the layers it reads, in the order the spec names them. For a plain stack this
 * does what DJL's SequentialBlock did: the same child forwards on the same arrays, in order.
 */
final class GraphBlock extends AbstractBlock {
  private final ModelSpec spec;
  private final List<Block> layers;

  GraphBlock(ModelSpec spec, List<Block> perLayer) {
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
        Graph.output(
            spec,
            inputs.singletonOrThrow(),
            (i, layer, ins) -> layers.get(i).forward(store, new NDList(ins), training).singletonOrThrow());
    return new NDList(out);
  }

  /**
   * Initialises each child with the shapes of everything it reads, taken from shape inference
   * with a batch of one prepended (DJL only uses them to size parameters).
   */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    List<LayerShape> shapes = ShapeInference.infer(spec);
    Graph.walk(
        spec,
        spec.input(),
        (i, layer, ins) -> {
          Shape[] batched = new Shape[ins.size()];
          for (int k = 0; k < batched.length; k++) {
            batched[k] = PytorchModel.djlShape(ins.get(k).withBatch(1));
          }
          layers.get(i).initialize(manager, dataType, batched);
          return shapes.get(i).output();
        });
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    int batch = Math.toIntExact(inputShapes[0].get(0));
    return new Shape[] {PytorchModel.djlShape(ShapeInference.outputShape(spec).withBatch(batch))};
  }
}
