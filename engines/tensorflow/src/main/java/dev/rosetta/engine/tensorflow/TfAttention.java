package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The multi_head_attention layer as TensorFlow graph ops on {@code [N, T, D]}, batch and length
 * read from the activation when the graph runs (a prediction may be shorter than training), in
 * the order of the PyTorch lowering. Traps of this TF build, all checked against finite
 * differences: variables enter through {@code Identity} (BatchMatMul's gradient fails on a
 * variable's reference type), the softmax runs on a 2-D view, the causal mask is {@code
 * MatrixBandPart} of ones with {@code SelectV2}.
 */
final class TfAttention {
  private TfAttention() {}

  static Operand<TFloat32> lower(
      Ops tf, Layer.MultiHeadAttention a, LayerShape shape, Operand<TFloat32> x, Map<String, ? extends Operand<TFloat32>> vars,
      Placeholder<TFloat32> mask) {
    Ops s = tf.withSubScope(a.name());
    int d = shape.input().dim(1);
    int heads = a.numHeads();
    int hd = a.headDim(shape.input());
    Operand<TInt32> dims = s.shape(x);
    Operand<TInt32> n = s.gather(dims, s.constant(0), s.constant(0));
    Operand<TInt32> t = s.gather(dims, s.constant(1), s.constant(0));
    Operand<TFloat32> qkv =
        s.linalg.matMul(s.reshape(x, s.constant(new long[] {-1, d})), vars.get(a.name() + ".in_proj_weight"), MatMul.transposeB(true));
    if (a.bias()) {
      // The key third of the bias is multiplied by 0: it cannot change the output, and so its
      // gradient is exactly 0 rather than rounding noise.
      qkv = s.nn.biasAdd(qkv, s.math.mul(vars.get(a.name() + ".in_proj_bias"), s.constant(Layer.MultiHeadAttention.inProjBiasMask(d))));
    }
    qkv = s.reshape(qkv, s.stack(List.of(n, t, s.constant(3), s.constant(heads), s.constant(hd))));
    qkv = s.linalg.transpose(qkv, s.constant(new int[] {2, 0, 3, 1, 4}));
    List<org.tensorflow.Output<TFloat32>> parts = s.unstack(qkv, 3L).output();
    Operand<TFloat32> q = s.math.mul(parts.get(0), s.constant(a.scale(shape.input())));
    Operand<TFloat32> scores =
        s.train.batchMatMul(q, parts.get(1), TFloat32.class, BatchMatMul.adjY(true));
    if (a.causal()) {
      Operand<TFloat32> ones = s.fill(s.stack(List.of(t, t)), s.constant(1f));
      Operand<TBool> keep = s.math.greater(s.linalg.bandPart(ones, s.constant(-1), s.constant(0)), s.constant(0f));
      scores = s.select(keep, scores, s.constant(Float.NEGATIVE_INFINITY));
    }
    Operand<TFloat32> weights = s.reshape(s.nn.softmax(s.reshape(scores, s.stack(List.of(s.constant(-1), t)))), s.shape(scores));
    if (mask != null) {
      weights = s.math.mul(weights, mask);
    }
    Operand<TFloat32> o = s.train.batchMatMul(weights, parts.get(2), TFloat32.class);
    o = s.reshape(s.linalg.transpose(o, s.constant(new int[] {0, 2, 1, 3})), s.constant(new long[] {-1, d}));
    Operand<TFloat32> y = project(s, o, vars, a.name() + ".out_proj.weight", a.bias() ? a.name() + ".out_proj.bias" : null);
    return tf.withName(a.name()).reshape(y, s.stack(List.of(n, t, s.constant(d))));
  }

  /** {@code x W^T (+ b)} on a 2-D activation, as the dense lowering computes it. */
  private static Operand<TFloat32> project(
      Ops s, Operand<TFloat32> x, Map<String, ? extends Operand<TFloat32>> vars, String weight, String bias) {
    Operand<TFloat32> y = s.linalg.matMul(x, vars.get(weight), MatMul.transposeB(true));
    return bias == null ? y : s.nn.biasAdd(y, vars.get(bias));
  }
}
