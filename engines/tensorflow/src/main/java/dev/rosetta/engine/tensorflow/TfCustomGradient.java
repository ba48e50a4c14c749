package dev.rosetta.engine.tensorflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;

/**
 * Hand-written gradients for a piece of the training graph, through TF's C++ gradient registry
 * (which {@code Graph.addGradients} uses).
 *
 * <p>The registry is keyed by op type, so a piece is marked by an {@code IdentityN} op, a type
 * that has no C++ gradient in this TF build: its first input is the piece's result behind a
 * {@code StopGradient} (TF does not differentiate through the forward ops), then come the
 * operands that receive gradients and the forward values the gradient reads, and its first
 * output stands for the result. The marker's name says
 * which gradient builds its inputs' gradients. An {@code IdentityN} without such a name gets the
 * identity gradient, which is that op's true gradient. Inputs behind a {@code StopGradient} get
 * their own value back as a gradient, which TF drops there; nothing computes it.
 *
 * <p>Registration is once per process. If it fails (another registration of {@code IdentityN},
 * or a platform without TF Java's gradient bridge), {@link #available()} is false and callers keep
 * TF's own differentiation of their forward ops.
 */
final class TfCustomGradient {
  private TfCustomGradient() {}

  /** The gradients of a marker's inputs, in input order, from the gradient of its first output. */
  @FunctionalInterface
  interface Gradient {
    List<Operand<?>> of(Ops tf, GraphOperation marker, Output<?> resultGradient);
  }

  private static final String MARKER_TYPE = "IdentityN";

  /** Each marked piece's gradient by the marker's name (the last part of its op name). */
  private static final Map<String, Gradient> GRADIENTS = Map.of(
      TfBatchNorm.GRADIENT_MARKER, TfBatchNorm::imageTrainingGradient,
      TfGelu.EXACT_GRADIENT_MARKER, TfGelu::exactGradient,
      TfGelu.TANH_GRADIENT_MARKER, TfGelu::tanhGradient,
      TfLayerNorm.GRADIENT_MARKER, TfLayerNorm::gradient);

  private static Boolean registered;

  /** Whether marked pieces get their hand-written gradients in this process. */
  static synchronized boolean available() {
    if (registered == null) {
      try {
        registered = TensorFlow.registerCustomGradient(MARKER_TYPE, TfCustomGradient::gradient);
      } catch (UnsupportedOperationException e) {
        // TF Java has no gradient bridge on Windows.
        registered = false;
      }
    }
    return registered;
  }

  /**
   * Marks {@code result} as the output of a piece whose gradient {@code marker} builds; returns
   * the operand that stands for the result downstream. The marker's inputs are the result, then
   * {@code differentiated}, then {@code saved}.
   *
   * @param differentiated the operands that receive gradients (marker inputs 1 to n)
   * @param saved forward values the gradient reads (the inputs after), behind a StopGradient
   */
  static <T extends org.tensorflow.types.family.TType> Operand<T> mark(
      Ops tf, String marker, Operand<T> result, List<? extends Operand<?>> differentiated,
      List<? extends Operand<?>> saved) {
    List<Operand<?>> all = new ArrayList<>();
    all.add(tf.stopGradient(result));
    all.addAll(differentiated);
    saved.forEach(v -> all.add(tf.stopGradient(v)));
    @SuppressWarnings("unchecked")
    Operand<T> out = (Operand<T>) tf.withName(marker).identityN(all).output().get(0);
    return out;
  }

  /**
   * A marker's input gradients: {@code gradients} for its differentiated inputs (1 to n), and
   * for the result and the saved values their own values, which their StopGradient drops.
   */
  static List<Operand<?>> inputGradients(GraphOperation marker, Operand<?>... gradients) {
    List<Operand<?>> out = new ArrayList<>();
    for (int i = 0; i < marker.numInputs(); i++) {
      out.add(i >= 1 && i <= gradients.length ? gradients[i - 1] : marker.input(i));
    }
    return out;
  }

  private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    String name = op.name();
    Gradient g = GRADIENTS.get(name.substring(name.lastIndexOf('/') + 1));
    if (g == null) {
      return new ArrayList<>(gradients);
    }
    List<Operand<?>> in = g.of(tf, op, gradients.get(0));
    if (in.size() != op.numInputs()) {
      throw new IllegalStateException(
          op.name() + ": gradient gave " + in.size() + " tensors for " + op.numInputs() + " inputs");
    }
    return in;
  }
}
