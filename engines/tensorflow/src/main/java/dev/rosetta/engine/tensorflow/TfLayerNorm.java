package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The layer_norm layer as TensorFlow graph ops. */
final class TfLayerNorm {
  private TfLayerNorm() {}

  /**
   * Layer norm over the last {@code axes} axes of each sample, as PyTorch's CPU kernel writes
   * it: y = (x - mean) * rstd * weight + bias, rstd = 1 / sqrt(var + epsilon), biased
   * variance. The weight and bias have the shape of the normalised (trailing) axes, so they
   * broadcast as they are. Training and evaluation are the same.
   */
  static Operand<TFloat32> lower(
      Ops tf, Layer.LayerNorm l, LayerShape shape, Operand<TFloat32> x, Map<String, ? extends Operand<TFloat32>> vars) {
    Ops s = tf.withSubScope(l.name());
    int rank = shape.input().rank() + 1; // with the batch axis
    int[] axes = new int[l.axes()];
    for (int k = 0; k < axes.length; k++) {
      axes[k] = rank - l.axes() + k;
    }
    Operand<TInt32> ax = s.constant(axes);
    Operand<TFloat32> centered = s.math.sub(x, s.math.mean(x, ax, Mean.keepDims(true)));
    Operand<TFloat32> var = s.math.mean(s.math.square(centered), ax, Mean.keepDims(true));
    Operand<TFloat32> rstd = TfOps.reciprocalSqrt(s, var, l.epsilon());
    Operand<TFloat32> normed = s.math.mul(s.math.mul(centered, rstd), vars.get(l.name() + ".weight"));
    return tf.withName(l.name()).math.add(normed, vars.get(l.name() + ".bias"));
  }
}
