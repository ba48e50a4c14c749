package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Shape;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** Small graph-building pieces several lowerings share. */
final class TfOps {
  private TfOps() {}

  /** Shape with an unknown leading batch axis, as TF wants it for placeholders. */
  static org.tensorflow.ndarray.Shape batched(Shape sample) {
    long[] d = new long[sample.rank() + 1];
    d[0] = -1;
    System.arraycopy(sample.dimsLong(), 0, d, 1, sample.rank());
    return org.tensorflow.ndarray.Shape.of(d);
  }

  /**
   * 1 / sqrt(v + epsilon) as a correctly rounded Sqrt and Div, as PyTorch computes it; TF's
   * Rsqrt kernel may use Eigen's fast approximate reciprocal square root.
   */
  static Operand<TFloat32> reciprocalSqrt(Ops s, Operand<TFloat32> v, double epsilon) {
    return s.math.div(s.constant(1f), s.math.sqrt(s.math.add(v, s.constant((float) epsilon))));
  }

  /** {@link #reciprocalSqrt} in float64, for training-mode batch statistics. */
  static Operand<TFloat64> reciprocalSqrt64(Ops s, Operand<TFloat64> v, double epsilon) {
    return s.math.div(s.constant(1.0), s.math.sqrt(s.math.add(v, s.constant(epsilon))));
  }

  /** Every axis of {@code x} (static rank), for a full reduction. */
  static Operand<org.tensorflow.types.TInt32> allAxes(Ops s, Operand<?> x) {
    int rank = x.shape().numDimensions();
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return s.constant(axes);
  }
}
