package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.rosetta.spec.Layer;
import dev.rosetta.train.DropoutMasks;
import java.util.function.LongSupplier;

/**
 * multi_head_attention on {@code [N, T, D]} with libtorch ops, in the order docs/spec.md
 * writes it (the TensorFlow and ONNX lowerings follow the same order): {@code linear} to
 * {@code [N, T, 3D]} (the bias times {@link Layer.MultiHeadAttention#inProjBiasMask}, so the
 * inert key bias gets a gradient of exactly 0), a view as {@code [N, T, 3, H, hd]} permuted to {@code [3, N, H, T, hd]},
 * q scaled by {@code 1/sqrt(hd)}, {@code q k^T} by {@code matmul}, −∞ added above the diagonal
 * when causal, softmax over the keys, the seeded dropout mask in training, {@code a v}, heads
 * back to {@code [N, T, D]}, {@code linear} with the output projection. Parameters are named as
 * in PyTorch's {@code nn.MultiheadAttention}.
 */
final class TorchAttention extends AbstractBlock {
  private final Layer.MultiHeadAttention layer;
  private final int heads;
  private final int headDim;
  private final float scale;
  private final long seed;
  private final LongSupplier step;
  private final StepMemory memory;
  private final Parameter inWeight;
  private final Parameter inBias;
  private final Parameter outWeight;
  private final Parameter outBias;

  TorchAttention(
      Layer.MultiHeadAttention a, dev.rosetta.spec.Shape in, long seed, LongSupplier step, StepMemory memory) {
    this.layer = a;
    this.memory = memory;
    this.heads = a.numHeads();
    this.headDim = a.headDim(in);
    this.scale = a.scale(in);
    this.seed = seed;
    this.step = step;
    long d = in.dim(1);
    inWeight = param("in_proj_weight", new Shape(3 * d, d));
    inBias = a.bias() ? param("in_proj_bias", new Shape(3 * d)) : null;
    outWeight = param("out_proj.weight", new Shape(d, d));
    outBias = a.bias() ? param("out_proj.bias", new Shape(d)) : null;
  }

  private Parameter param(String name, Shape shape) {
    return addParameter(
        Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT)
            .optShape(shape).optInitializer(Initializer.ZEROS).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    long n = x.getShape().get(0);
    long t = x.getShape().get(1);
    long d = x.getShape().get(2);
    // Constants live in the step's scope and stay open until it closes: libtorch may keep them
    // for the backward pass. The mask is the first factor because a result belongs to its first
    // operand's manager, not to the parameter's (the model's).
    float[] biasMask = Layer.MultiHeadAttention.inProjBiasMask((int) d);
    NDArray bias = inBias == null ? null
        : memory.floats(biasMask, new Shape(biasMask.length)).mul(value(store, inBias, x, training));
    NDArray qkv = Linear.linear(x, value(store, inWeight, x, training), bias)
        .singletonOrThrow()
        .reshape(n, t, 3, heads, headDim)
        .transpose(2, 0, 3, 1, 4);
    NDArray q = qkv.get(0).mul(memory.scalar(scale));
    NDArray k = qkv.get(1);
    NDArray v = qkv.get(2);
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
    if (layer.causal()) {
      scores = scores.add(memory.floats(causalMask((int) t), new Shape(t, t)));
    }
    NDArray weights = scores.softmax(-1);
    if (training && layer.dropout() > 0) {
      float[] mask = DropoutMasks.mask(seed, step.getAsLong(), layer.name(), (int) weights.size(), layer.dropout());
      weights = weights.mul(memory.floats(mask, weights.getShape()));
    }
    NDArray o = weights.matMul(v).transpose(0, 2, 1, 3).reshape(n, t, d);
    return Linear.linear(o, value(store, outWeight, x, training), value(store, outBias, x, training));
  }

  private static NDArray value(ParameterStore store, Parameter p, NDArray x, boolean training) {
    return p == null ? null : store.getValue(p, x.getDevice(), training);
  }

  /** 0 on and below the diagonal, −∞ above it: row i keeps keys j ≤ i. */
  static float[] causalMask(int t) {
    float[] m = new float[t * t];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        m[i * t + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return m;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
