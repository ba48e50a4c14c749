package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The layer_norm layer as TensorFlow graph ops. */
final class TfLayerNorm {
  private TfLayerNorm() {}

  /** The name of the op that marks a layer norm for its gradient. */
  static final String GRADIENT_MARKER = "layer_norm_gradient";

  /**
   * Layer norm over the last {@code axes} axes of each sample, as PyTorch's CPU kernel writes
   * it: y = (x - mean) * rstd * weight + bias, rstd = 1 / sqrt(var + epsilon), biased
   * variance. The weight and bias have the shape of the normalised (trailing) axes, so they
   * broadcast as they are. Training and evaluation are the same.
   *
   * @param handWritten whether the result carries the hand-written gradient ({@link #gradient};
   *     training graphs) rather than TF's differentiation of these ops
   */
  static Operand<TFloat32> lower(
      Ops tf, Layer.LayerNorm l, LayerShape shape, Operand<TFloat32> x, Map<String, ? extends Operand<TFloat32>> vars,
      boolean handWritten) {
    Ops s = tf.withSubScope(l.name());
    int rank = shape.input().rank() + 1; // with the batch axis
    int[] normalised = new int[l.axes()];
    int[] batch = new int[rank - l.axes()];
    for (int k = 0; k < rank; k++) {
      if (k < batch.length) {
        batch[k] = k;
      } else {
        normalised[k - batch.length] = k;
      }
    }
    Operand<TInt32> ax = s.constant(normalised);
    // Values normalised together: the product of the trailing axes.
    float count = 1;
    for (int k = shape.input().rank() - l.axes(); k < shape.input().rank(); k++) {
      count *= shape.input().dim(k);
    }
    Operand<TFloat32> weight = vars.get(l.name() + ".weight");
    Operand<TFloat32> bias = vars.get(l.name() + ".bias");
    Operand<TFloat32> mean = s.math.mean(x, ax, Mean.keepDims(true));
    Operand<TFloat32> centered = s.math.sub(x, mean);
    Operand<TFloat32> var = s.math.mean(s.math.square(centered), ax, Mean.keepDims(true));
    Operand<TFloat32> rstd = TfOps.reciprocalSqrt(s, var, l.epsilon());
    Operand<TFloat32> xhat = s.math.mul(centered, rstd);
    Operand<TFloat32> normed = s.math.mul(xhat, weight);
    if (!handWritten) {
      return tf.withName(l.name()).math.add(normed, bias);
    }
    return tf.withName(l.name()).identity(TfCustomGradient.mark(s, GRADIENT_MARKER, s.math.add(normed, bias),
        List.of(x, weight, bias),
        List.of(xhat, mean, rstd, ax, s.constant(batch), s.constant(1f / count))));
  }

  /**
   * The layer-norm gradient as PyTorch's CPU kernel computes it (layer_norm_backward_frame), per
   * sample over the normalised axes with a = rstd and s = 1 / n: ds = sum(dy * weight * x), db =
   * sum(dy * weight), b = (db * mean - ds) * a^3 * s, c = -b * mean - db * a * s, then dx = a *
   * dy * weight + b * x + c; over the other axes dweight = sum(dy * xhat) and dbias = sum(dy).
   * Marker inputs: 0 the result, 1 x, 2 weight, 3 bias, 4 xhat = (x - mean) * rstd, 5 mean and 6
   * rstd (kept dims), 7 the normalised axes, 8 the other axes, 9 s.
   */
  static List<Operand<?>> gradient(Ops tf, GraphOperation marker, Output<?> dyOut) {
    Operand<TFloat32> dy = dyOut.expect(TFloat32.class);
    Operand<TFloat32> x = marker.input(1).expect(TFloat32.class);
    Operand<TFloat32> weight = marker.input(2).expect(TFloat32.class);
    Operand<TFloat32> xhat = marker.input(4).expect(TFloat32.class);
    Operand<TFloat32> mean = marker.input(5).expect(TFloat32.class);
    Operand<TFloat32> a = marker.input(6).expect(TFloat32.class);
    Operand<TInt32> normalised = marker.input(7).expect(TInt32.class);
    Operand<TInt32> batch = marker.input(8).expect(TInt32.class);
    Operand<TFloat32> scale = marker.input(9).expect(TFloat32.class);
    Operand<TFloat32> g = tf.math.mul(dy, weight);
    Operand<TFloat32> db = tf.sum(g, normalised, Sum.keepDims(true));
    Operand<TFloat32> ds = tf.sum(tf.math.mul(g, x), normalised, Sum.keepDims(true));
    Operand<TFloat32> b = tf.math.mul(
        tf.math.mul(tf.math.sub(tf.math.mul(db, mean), ds), tf.math.mul(tf.math.mul(a, a), a)), scale);
    Operand<TFloat32> c = tf.math.sub(tf.math.neg(tf.math.mul(b, mean)), tf.math.mul(tf.math.mul(db, a), scale));
    Operand<TFloat32> dx = tf.math.add(
        tf.math.add(tf.math.mul(tf.math.mul(dy, a), weight), tf.math.mul(b, x)), c);
    Operand<TFloat32> dWeight = tf.sum(tf.math.mul(dy, xhat), batch);
    Operand<TFloat32> dBias = tf.sum(dy, batch);
    return TfCustomGradient.inputGradients(marker, dx, dWeight, dBias);
  }
}
