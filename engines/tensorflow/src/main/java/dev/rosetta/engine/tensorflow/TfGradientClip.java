package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Training;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Gradient clipping as graph ops, in the PyTorch backend's order (see docs/spec.md): values
 * clamped to [-v, v]; then the float32 sums of squares of each gradient added in parameter order,
 * norm = sqrt(sum), and every gradient multiplied by max_norm / (norm + 1e-6) where that is below
 * 1 (by 1, exactly, otherwise).
 */
final class TfGradientClip {
  private TfGradientClip() {}

  /** The gradients the update uses; {@code grads} itself when the spec clips nothing. */
  static List<Operand<TFloat32>> apply(Ops s, List<Operand<TFloat32>> grads, Training t) {
    List<Operand<TFloat32>> g = new ArrayList<>(grads);
    if (t.clipGradValue() > 0) {
      Operand<TFloat32> lo = s.constant((float) -t.clipGradValue());
      Operand<TFloat32> hi = s.constant((float) t.clipGradValue());
      g.replaceAll(x -> s.clipByValue(x, lo, hi));
    }
    if (t.clipGradNorm() > 0 && !g.isEmpty()) {
      Operand<TFloat32> sum = null;
      for (Operand<TFloat32> x : g) {
        Operand<TFloat32> sq = s.sum(s.math.square(x), TfOps.allAxes(s, x));
        sum = sum == null ? sq : s.math.add(sum, sq);
      }
      Operand<TFloat32> norm = s.math.sqrt(sum);
      Operand<TFloat32> coef = s.math.div(s.constant((float) t.clipGradNorm()), s.math.add(norm, s.constant(1e-6f)));
      Operand<TBool> below = s.math.less(coef, s.constant(1f));
      Operand<TFloat32> factor = s.select(below, coef, s.constant(1f));
      g.replaceAll(x -> s.math.mul(x, factor));
    }
    return g;
  }
}
