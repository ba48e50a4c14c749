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
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.ShapeInference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Lowers the IR to DJL blocks. One DJL block per layer, wired by a {@link GraphBlock}; a
 * parameterised layer's DJL parameters are named as in PyTorch ({@code weight}, {@code bias},
 * {@code running_mean}, {@code running_var}) and map to {@code <layer>.<param>}.
 */
final class PytorchLowering {
  private PytorchLowering() {}

  /** A lowered model: the DJL block and, per IR layer, the DJL block that implements it. */
  record Lowered(GraphBlock block, List<Block> perLayer) {}

  static Lowered lower(ModelSpec spec, LongSupplier step) {
    List<Block> perLayer = new ArrayList<>();
    long seed = spec.training().seed();
    List<LayerShape> shapes = ShapeInference.infer(spec);
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      LayerShape shape = shapes.get(i);
      Block b =
          layer.accept(
              new Layer.Visitor<Block>() {
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
                  return new LambdaBlock(x -> new NDList(x.singletonOrThrow().softmax(-1)), "softmax");
                }

                @Override
                public Block flatten(Layer.Flatten l) {
                  return Blocks.batchFlattenBlock();
                }

                @Override
                public Block dropout(Layer.Dropout d) {
                  return new SeededDropout(d.name(), d.rate(), seed, step);
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
                  // DJL's PyTorch engine calls torch::nn::functional::gelu with default options,
                  // i.e. approximate='none': the exact erf form the IR specifies (checked
                  // against the formula in PytorchBackendTest).
                  return Activation.geluBlock();
                }

                @Override
                public Block reshape(Layer.Reshape r) {
                  // The concrete target shape (the -1 resolved by shape inference) behind the
                  // batch axis; NDArray.reshape is row-major, the IR's order.
                  long[] sample = shape.output().dimsLong();
                  return new LambdaBlock(
                      x -> {
                        NDArray a = x.singletonOrThrow();
                        long[] full = new long[sample.length + 1];
                        full[0] = a.getShape().get(0);
                        System.arraycopy(sample, 0, full, 1, sample.length);
                        return new NDList(a.reshape(new Shape(full)));
                      },
                      "reshape");
                }

                @Override
                public Block conv2d(Layer.Conv2d c) {
                  // NCHW in, OIHW weight: libtorch's native layouts and the IR's, no permute.
                  return PaddedConv2d.of(c);
                }

                @Override
                public Block maxPool2d(Layer.MaxPool2d p) {
                  // torch max_pool2d: implicit -inf padding, floor mode, NCHW as is.
                  Shape k = hw(p.kernel());
                  Shape st = hw(p.stride());
                  Shape pad = hw(p.padding());
                  return new LambdaBlock(
                      x -> new NDList(Pool.maxPool2d(x.singletonOrThrow(), k, st, pad, false)), "max_pool2d");
                }

                @Override
                public Block avgPool2d(Layer.AvgPool2d p) {
                  // count_include_pad=true: the IR divides every window by kh * kw.
                  Shape k = hw(p.kernel());
                  Shape st = hw(p.stride());
                  Shape pad = hw(p.padding());
                  return new LambdaBlock(
                      x -> new NDList(Pool.avgPool2d(x.singletonOrThrow(), k, st, pad, false, true)), "avg_pool2d");
                }

                @Override
                public Block globalAvgPool2d(Layer.GlobalAvgPool2d l) {
                  // torch adaptive_avg_pool2d to 1x1, reshaped to [N, C]: the mean over H and W.
                  return new LambdaBlock(
                      x -> new NDList(Pool.globalAvgPool2d(x.singletonOrThrow())), "global_avg_pool2d");
                }

                @Override
                public Block batchNorm(Layer.BatchNorm b) {
                  // Channels are sample axis 0, i.e. axis 1 of the batched tensor: libtorch's.
                  return new TorchBatchNorm(b, shape.input().dim(0));
                }

                @Override
                public Block layerNorm(Layer.LayerNorm l) {
                  return new TorchLayerNorm(
                      l, PytorchModel.djlShape(ShapeInference.normalizedShape(l, shape.input())));
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
              });
      perLayer.add(b);
    }
    return new Lowered(new GraphBlock(spec, perLayer), perLayer);
  }

  private static Shape hw(Layer.Hw hw) {
    return new Shape(hw.h(), hw.w());
  }
}
