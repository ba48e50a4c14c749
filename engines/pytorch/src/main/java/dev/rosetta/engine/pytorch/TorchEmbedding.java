package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.rosetta.spec.Layer;

/**
 * libtorch's {@code embedding} (torch.nn.functional.embedding, dense gradient): int64 ids
 * {@code [N, T]} to rows of {@code weight [vocab_size, dim]}. The ids were range-checked in
 * Java before they got here; libtorch would abort the step on one out of range.
 */
final class TorchEmbedding extends AbstractBlock {
  private final Parameter weight;
  private final long dim;

  TorchEmbedding(Layer.Embedding e) {
    this.dim = e.dim();
    weight = addParameter(
        Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
            .optShape(new Shape(e.vocabSize(), e.dim())).optInitializer(Initializer.ZEROS).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray ids = inputs.singletonOrThrow();
    PtNDArray w = (PtNDArray) store.getValue(weight, ids.getDevice(), training);
    return new NDList(JniUtils.embedding((PtNDArray) ids, w, false));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].add(dim)};
  }
}
