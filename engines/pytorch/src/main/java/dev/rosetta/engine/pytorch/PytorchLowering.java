package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Lowers the IR to DJL blocks on libtorch: one DJL block per layer, wired by a {@link
 * GraphBlock}. A parameterised layer's DJL parameters are named as in PyTorch ({@code weight},
 * {@code bias}, {@code running_mean}, {@code running_var}) and map to {@code <layer>.<param>}.
 * Layers that need more than one DJL call live in their own {@code Torch*} files.
 */
final class PytorchLowering {
  private PytorchLowering() {}

  /** A lowered model: the DJL block and, per IR layer, the DJL block that implements it. */
  record Lowered(GraphBlock block, List<Block> perLayer) {}

  /**
   * @param step the current optimizer step, which seeds dropout masks
   * @param memory where layers make the arrays a step copies in (masks, constants)
   * @param blocks the per-layer lowering ({@link PytorchParts#STANDARD}'s is {@link LayerBlock})
   */
  static Lowered lower(CheckedSpec spec, LongSupplier step, StepMemory memory, PytorchParts.LayerBlocks blocks) {
    List<Block> perLayer = new ArrayList<>();
    for (LayerShape shape : spec.shapes()) {
      perLayer.add(shape.layer().accept(blocks.of(shape, spec.training().seed(), step, memory)));
    }
    return new Lowered(new GraphBlock(spec, perLayer), perLayer);
  }

  static Shape djlShape(dev.rosetta.spec.Shape s) {
    return new Shape(s.dimsLong());
  }

  /** The DJL block of one layer, given its shapes. */
  static class LayerBlock implements Layer.Visitor<Block> {
    protected final LayerShape shape;
    protected final long seed;
    protected final LongSupplier step;
    protected final StepMemory memory;

    LayerBlock(LayerShape shape, long seed, LongSupplier step, StepMemory memory) {
      this.shape = shape;
      this.seed = seed;
      this.memory = memory;
      this.step = step;
    }

    @Override
    public Block dense(Layer.Dense d) {
      return Linear.builder().setUnits(d.units()).optBias(d.bias()).build();
    }

    @Override
    public Block relu(Layer.Relu l) {
      return Activation.reluBlock();
    }

    @Override
    public Block sigmoid(Layer.Sigmoid l) {
      return Activation.sigmoidBlock();
    }

    @Override
    public Block tanh(Layer.Tanh l) {
      return Activation.tanhBlock();
    }

    @Override
    public Block softmax(Layer.Softmax l) {
      return unary("softmax", x -> x.softmax(-1));
    }

    @Override
    public Block flatten(Layer.Flatten l) {
      return Blocks.batchFlattenBlock();
    }

    @Override
    public Block dropout(Layer.Dropout d) {
      return new TorchDropout(d.name(), d.rate(), seed, step, memory);
    }

    @Override
    public Block leakyRelu(Layer.LeakyRelu l) {
      // torch.nn.functional.leaky_relu through DJL's JNI: PyTorch's own definition.
      return Activation.leakyReluBlock((float) l.negativeSlope());
    }

    @Override
    public Block elu(Layer.Elu l) {
      return Activation.eluBlock((float) l.alpha());
    }

    @Override
    public Block gelu(Layer.Gelu l) {
      return switch (l.approximate()) {
        // DJL calls torch::nn::functional::gelu with default options, approximate='none':
        // the exact erf form.
        case NONE -> Activation.geluBlock();
        // libtorch's own kernel, gelu(x, approximate="tanh"), through a TorchScript module: DJL
        // binds GELU with its default options only.
        case TANH -> new TorchGeluTanh();
      };
    }

    @Override
    public Block silu(Layer.Silu l) {
      // x * sigmoid(x), as the TensorFlow and ONNX lowerings compute it.
      return unary("silu", x -> x.mul(Activation.sigmoid(x)));
    }

    @Override
    public Block reshape(Layer.Reshape r) {
      // The concrete target shape (the -1 resolved by validation) behind the batch axis;
      // NDArray.reshape is row-major, the IR's order.
      long[] sample = shape.output().dimsLong();
      return unary("reshape", a -> {
        long[] full = new long[sample.length + 1];
        full[0] = a.getShape().get(0);
        System.arraycopy(sample, 0, full, 1, sample.length);
        return a.reshape(new Shape(full));
      });
    }

    @Override
    public Block conv2d(Layer.Conv2d c) {
      // NCHW in, OIHW weight: libtorch's native layouts and the IR's, no permute.
      return TorchConv2d.of(c);
    }

    @Override
    public Block maxPool2d(Layer.MaxPool2d p) {
      // torch max_pool2d: implicit -inf padding, floor mode, NCHW as is.
      Shape k = hw(p.kernel());
      Shape st = hw(p.stride());
      Shape pad = hw(p.padding());
      return unary("max_pool2d", x -> Pool.maxPool2d(x, k, st, pad, false));
    }

    @Override
    public Block avgPool2d(Layer.AvgPool2d p) {
      // count_include_pad=true: the IR divides every window by kh * kw.
      Shape k = hw(p.kernel());
      Shape st = hw(p.stride());
      Shape pad = hw(p.padding());
      return unary("avg_pool2d", x -> Pool.avgPool2d(x, k, st, pad, false, true));
    }

    @Override
    public Block globalAvgPool2d(Layer.GlobalAvgPool2d l) {
      // torch adaptive_avg_pool2d to 1x1, reshaped to [N, C]: the mean over H and W.
      return unary("global_avg_pool2d", Pool::globalAvgPool2d);
    }

    @Override
    public Block batchNorm(Layer.BatchNorm b) {
      // Channels are sample axis 0, i.e. axis 1 of the batched tensor: libtorch's.
      return new TorchBatchNorm(b, shape.input().dim(0), shape.options().batchNormInInferenceMode());
    }

    @Override
    public Block layerNorm(Layer.LayerNorm l) {
      return new TorchLayerNorm(l, djlShape(l.normalizedShape(shape.input())));
    }

    @Override
    public Block add(Layer.Add a) {
      // Left to right, ((x0 + x1) + x2) ...: same shapes, no broadcasting.
      return new LambdaBlock(
          xs -> {
            NDArray sum = xs.get(0);
            for (int k = 1; k < xs.size(); k++) {
              sum = sum.add(xs.get(k));
            }
            return new NDList(sum);
          },
          "add");
    }

    @Override
    public Block concat(Layer.Concat c) {
      // Sample axis -> batched axis: the batch axis comes first.
      int axis = c.sampleAxis(shape.input().rank()) + 1;
      return new LambdaBlock(xs -> new NDList(NDArrays.concat(xs, axis)), "concat");
    }

    @Override
    public Block embedding(Layer.Embedding e) {
      return new TorchEmbedding(e);
    }

    @Override
    public Block positionEmbedding(Layer.PositionEmbedding p) {
      return new TorchPositionEmbedding(p, shape.input().dim(1));
    }

    @Override
    public Block multiHeadAttention(Layer.MultiHeadAttention a) {
      return new TorchAttention(a, shape.input(), seed, step, memory);
    }

    static Block unary(String name, Function<NDArray, NDArray> f) {
      return new LambdaBlock(x -> new NDList(f.apply(x.singletonOrThrow())), name);
    }

    private static Shape hw(Layer.Hw hw) {
      return new Shape(hw.h(), hw.w());
    }
  }
}
