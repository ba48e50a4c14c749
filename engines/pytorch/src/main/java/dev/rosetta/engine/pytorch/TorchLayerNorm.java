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
 * libtorch's {@code layer_norm} over the trailing axes {@code normalizedShape} (the IR's last
 * {@code axes} sample axes), weight and bias of that shape, the spec's epsilon as a double.
 * Biased variance, the same in training and evaluation.
 */
final class TorchLayerNorm extends AbstractBlock {
  private final Shape normalizedShape;
  private final double epsilon;
  private final Parameter weight;
  private final Parameter bias;

  TorchLayerNorm(Layer.LayerNorm l, Shape normalizedShape) {
    this.normalizedShape = normalizedShape;
    this.epsilon = l.epsilon();
    weight =
        addParameter(
            Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optShape(normalizedShape).optInitializer(Initializer.ONES).build());
    bias =
        addParameter(
            Parameter.builder().setName("bias").setType(Parameter.Type.BETA)
                .optShape(normalizedShape).optInitializer(Initializer.ZEROS).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    PtNDArray w = (PtNDArray) store.getValue(weight, x.getDevice(), training);
    PtNDArray b = (PtNDArray) store.getValue(bias, x.getDevice(), training);
    return new NDList(JniUtils.layerNorm((PtNDArray) x, normalizedShape, w, b, epsilon));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
