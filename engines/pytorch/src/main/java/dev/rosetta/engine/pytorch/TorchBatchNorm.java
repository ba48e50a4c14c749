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
 * libtorch's {@code batch_norm} over axis 1 of the batched input ({@code [N, C]} or {@code [N,
 * C, H, W]}): batch statistics in training, with the running statistics updated in place by
 * libtorch (running_var from the unbiased variance); the running statistics in evaluation.
 *
 * <p>DJL's own BatchNorm block and {@code NDArrayEx.batchNorm} use MXNet's momentum convention
 * and hand libtorch {@code 1f - momentum} computed in float. The IR uses PyTorch's convention
 * (momentum = weight of the new batch statistic), so this calls the JNI binding directly with
 * the spec's momentum as a double: exactly what {@code torch.nn.BatchNorm2d(momentum=m)} passes.
 */
class TorchBatchNorm extends AbstractBlock {
  final double momentum;
  final double epsilon;
  final Parameter weight;
  final Parameter bias;
  final Parameter runningMean;
  final Parameter runningVar;
  /** A frozen layer in inference mode: running statistics in training too, never updated. */
  final boolean inferenceOnly;

  TorchBatchNorm(Layer.BatchNorm b, int channels) {
    this(b, channels, false);
  }

  TorchBatchNorm(Layer.BatchNorm b, int channels, boolean inferenceOnly) {
    this.inferenceOnly = inferenceOnly;
    this.momentum = b.momentum();
    this.epsilon = b.epsilon();
    Shape c = new Shape(channels);
    // Names as in PyTorch's state_dict, so they map to <layer>.weight etc. The running
    // statistics are buffers: no gradient, never touched by the optimizer.
    weight = addParameter(param("weight", Parameter.Type.GAMMA, c, Initializer.ONES, true));
    bias = addParameter(param("bias", Parameter.Type.BETA, c, Initializer.ZEROS, true));
    runningMean =
        addParameter(param("running_mean", Parameter.Type.RUNNING_MEAN, c, Initializer.ZEROS, false));
    runningVar =
        addParameter(param("running_var", Parameter.Type.RUNNING_VAR, c, Initializer.ONES, false));
  }

  private static Parameter param(
      String name, Parameter.Type type, Shape shape, Initializer init, boolean trainable) {
    return Parameter.builder()
        .setName(name)
        .setType(type)
        .optShape(shape)
        .optInitializer(init)
        .optRequiresGrad(trainable)
        .build();
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    boolean batchStatistics = training && !inferenceOnly;
    // The native binding takes (input, running_mean, running_var, weight, bias, training,
    // momentum, eps), whatever the Java parameter names of JniUtils.batchNorm suggest.
    return new NDList(
        JniUtils.batchNorm(
            (PtNDArray) x,
            value(store, runningMean, x, training),
            value(store, runningVar, x, training),
            value(store, weight, x, training),
            value(store, bias, x, training),
            batchStatistics,
            momentum,
            epsilon));
  }

  static PtNDArray value(ParameterStore store, Parameter p, NDArray x, boolean training) {
    return (PtNDArray) store.getValue(p, x.getDevice(), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
