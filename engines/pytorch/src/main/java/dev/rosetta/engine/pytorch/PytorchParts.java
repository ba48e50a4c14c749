package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Optimizer;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The pieces a PyTorch model is assembled from: each layer's block, the loss and the optimizer.
 * The backend users get is built from {@link #STANDARD}; the parity suite's planted-bug
 * candidates replace one piece from test code (a package-private seam, no switch in the product).
 *
 * @param layers the block of each layer, given its shapes
 * @param loss the spec's loss on a batch, on the autograd tape
 * @param optimizer the update rule of the spec's optimizer
 */
record PytorchParts(LayerBlocks layers, LossFunction loss, OptimizerFactory optimizer) {

  /** Makes the per-layer visitor that lowers one layer to a DJL block. */
  @FunctionalInterface
  interface LayerBlocks {
    Layer.Visitor<Block> of(LayerShape shape, long seed, LongSupplier step, StepMemory memory);
  }

  /** The batch's loss (a scalar array, in the step's scope) from the model's output. */
  @FunctionalInterface
  interface LossFunction {
    NDArray loss(CheckedSpec spec, NDArray out, Batch batch, StepMemory memory);
  }

  @FunctionalInterface
  interface OptimizerFactory {
    /**
     * @param names the canonical names of {@code params}
     * @param multipliers each parameter's learning-rate multiplier
     */
    PytorchOptimizer create(
        Optimizer spec, List<String> names, List<NDArray> params, NDManager stateManager, double[] multipliers);
  }

  static final PytorchParts STANDARD =
      new PytorchParts(PytorchLowering.LayerBlock::new, PytorchModel::meanLoss, PytorchOptimizer::of);

  PytorchParts withLayers(LayerBlocks l) {
    return new PytorchParts(l, loss, optimizer);
  }

  PytorchParts withLoss(LossFunction l) {
    return new PytorchParts(layers, l, optimizer);
  }

  PytorchParts withOptimizer(OptimizerFactory o) {
    return new PytorchParts(layers, loss, o);
  }
}
