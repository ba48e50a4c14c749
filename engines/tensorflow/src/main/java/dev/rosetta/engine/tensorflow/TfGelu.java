package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Layer;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The gelu layer as TensorFlow graph ops, written as PyTorch's CPU kernels write it so the two
 * backends round alike, with PyTorch's backward formulas as hand-written gradients in training
 * graphs ({@link TfCustomGradient}): 6 (exact) or 8 (tanh) elementwise passes where TF's own
 * differentiation of the forward ops takes 9 or 11.
 */
final class TfGelu {
  private TfGelu() {}

  /** sqrt(2 / pi), the tanh form's inner scale. */
  static final float TANH_BETA = (float) Math.sqrt(2 / Math.PI);

  /** The cubic coefficient of the tanh form. */
  static final float TANH_KAPPA = 0.044715f;

  private static final float SQRT1_2 = (float) (1 / Math.sqrt(2));

  /** 1 / sqrt(2 pi), the standard normal density's scale. */
  private static final float PDF_SCALE = (float) (1 / Math.sqrt(2 * Math.PI));

  /** The name of the op that marks a gelu for its gradient; the form follows. */
  static final String EXACT_GRADIENT_MARKER = "gelu_exact_gradient";

  static final String TANH_GRADIENT_MARKER = "gelu_tanh_gradient";

  /**
   * x * 0.5 * (1 + erf(x / sqrt(2))), or with tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)) in
   * place of erf.
   *
   * @param handWritten whether the result carries PyTorch's backward formula as its gradient
   *     (training graphs) rather than TF's differentiation of these ops
   */
  static Operand<TFloat32> lower(Ops tf, Layer.Gelu l, Operand<TFloat32> x, boolean handWritten) {
    Ops s = tf.withSubScope(l.name());
    Operand<TFloat32> half = s.math.mul(x, s.constant(0.5f));
    Operand<TFloat32> onePlus;
    // What the gradient reads, in the marker's input order after x (see the gradients below).
    List<Operand<TFloat32>> saved;
    String marker;
    switch (l.approximate()) {
      case NONE -> {
        Operand<TFloat32> scaled = s.math.mul(x, s.constant(SQRT1_2));
        onePlus = s.math.add(s.math.erf(scaled), s.constant(1f));
        saved = List.of(half, onePlus, scaled);
        marker = EXACT_GRADIENT_MARKER;
      }
      case TANH -> {
        Operand<TFloat32> square = s.math.mul(x, x);
        Operand<TFloat32> tanh = s.math.tanh(s.math.mul(
            s.math.add(x, s.math.mul(s.math.mul(square, x), s.constant(TANH_KAPPA))),
            s.constant(TANH_BETA)));
        onePlus = s.math.add(tanh, s.constant(1f));
        saved = List.of(half, onePlus, square, tanh);
        marker = TANH_GRADIENT_MARKER;
      }
      default -> throw new AssertionError(l.approximate());
    }
    if (!handWritten) {
      return tf.withName(l.name()).math.mul(half, onePlus);
    }
    return tf.withName(l.name()).identity(
        TfCustomGradient.mark(s, marker, s.math.mul(half, onePlus), List.of(x), saved));
  }

  /**
   * PyTorch's exact GELU backward, dy * (cdf + x * pdf) with cdf = 0.5 * (1 + erf(x / sqrt(2)))
   * and pdf = exp(-x^2 / 2) / sqrt(2 pi); the exponent is taken as -(x / sqrt(2))^2 from the
   * forward pass. Marker inputs: 0 the result, 1 x, 2 x * 0.5, 3 1 + erf(x / sqrt(2)), 4 x /
   * sqrt(2).
   */
  static List<Operand<?>> exactGradient(Ops tf, GraphOperation marker, Output<?> dyOut) {
    Operand<TFloat32> dy = dyOut.expect(TFloat32.class);
    Operand<TFloat32> x = marker.input(1).expect(TFloat32.class);
    Operand<TFloat32> onePlus = marker.input(3).expect(TFloat32.class);
    Operand<TFloat32> scaled = marker.input(4).expect(TFloat32.class);
    Operand<TFloat32> cdf = tf.math.mul(onePlus, tf.constant(0.5f));
    Operand<TFloat32> pdf =
        tf.math.mul(tf.math.exp(tf.math.neg(tf.math.square(scaled))), tf.constant(PDF_SCALE));
    Operand<TFloat32> dx = tf.math.mul(dy, tf.math.add(cdf, tf.math.mul(x, pdf)));
    return TfCustomGradient.inputGradients(marker, dx);
  }

  /**
   * PyTorch's tanh-GELU backward: with t the tanh, dy * (0.5 * (1 + t) + 0.5 * x * (1 - t^2) *
   * sqrt(2 / pi) * (1 + 3 * 0.044715 * x^2)). Marker inputs: 0 the result, 1 x, 2 x * 0.5, 3 1 +
   * t, 4 x^2, 5 t.
   */
  static List<Operand<?>> tanhGradient(Ops tf, GraphOperation marker, Output<?> dyOut) {
    Operand<TFloat32> dy = dyOut.expect(TFloat32.class);
    Operand<TFloat32> half = marker.input(2).expect(TFloat32.class);
    Operand<TFloat32> onePlus = marker.input(3).expect(TFloat32.class);
    Operand<TFloat32> square = marker.input(4).expect(TFloat32.class);
    Operand<TFloat32> tanh = marker.input(5).expect(TFloat32.class);
    Operand<TFloat32> leftDerivative = tf.math.mul(onePlus, tf.constant(0.5f));
    // TanhGrad(t, v) = v * (1 - t * t).
    Operand<TFloat32> leftTimesTanhDerivative = tf.math.tanhGrad(tanh, half);
    Operand<TFloat32> innerDerivative = tf.math.mul(
        tf.math.add(tf.math.mul(square, tf.constant(3 * TANH_KAPPA)), tf.constant(1f)),
        tf.constant(TANH_BETA));
    Operand<TFloat32> dx = tf.math.mul(
        dy, tf.math.add(leftDerivative, tf.math.mul(leftTimesTanhDerivative, innerDerivative)));
    return TfCustomGradient.inputGradients(marker, dx);
  }
}
