package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.rosetta.spec.Layer;

/**
 * {@code x + weight[0:T]} on {@code [N, T, D]}: the first T rows of {@code weight [max_length,
 * D]}, broadcast over the batch, T being the length of the sequences given.
 */
final class TorchPositionEmbedding extends AbstractBlock {
  private final Parameter weight;

  TorchPositionEmbedding(Layer.PositionEmbedding p, long dim) {
    weight = addParameter(
        Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
            .optShape(new Shape(p.maxLength(), dim)).optInitializer(Initializer.ZEROS).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray w = store.getValue(weight, x.getDevice(), training);
    long t = x.getShape().get(1);
    // The slice in the activation's manager (the step's scope), not the parameter's.
    return new NDList(x.add(w.get(x.getManager(), new NDIndex("0:{}", t))));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
