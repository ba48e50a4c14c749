package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.rosetta.train.DropoutMasks;
import java.util.function.LongSupplier;

/**
 * Dropout whose mask comes from {@link DropoutMasks} (the spec seed, the step, the layer name)
 * instead of libtorch's RNG, so TensorFlow drops exactly the same units.
 */
final class TorchDropout extends AbstractBlock {
  private final String layer;
  private final double rate;
  private final long seed;
  private final LongSupplier step;
  private final StepMemory memory;

  TorchDropout(String layer, double rate, long seed, LongSupplier step, StepMemory memory) {
    this.memory = memory;
    this.layer = layer;
    this.rate = rate;
    this.seed = seed;
    this.step = step;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    if (!training || rate == 0) {
      return inputs;
    }
    float[] mask = DropoutMasks.mask(seed, step.getAsLong(), layer, (int) x.size(), rate);
    NDArray m = memory.floats(mask, x.getShape());
    return new NDList(x.mul(m));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
