package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Optimizer;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The pieces a TensorFlow model's train step is assembled from. The backend users get is built
 * from {@link #STANDARD}; the parity suite's planted-bug candidates replace one piece from test
 * code (a package-private seam, no switch in the product).
 *
 * @param optimizer builds the update ops of the spec's optimizer
 */
record TensorflowParts(OptimizerFactory optimizer) {

  /**
   * @see TensorflowOptimizer#of
   */
  @FunctionalInterface
  interface OptimizerFactory {
    /**
     * @param after ops that wait for every gradient and the loss: updates must be built on these
     * @param init ops with no such dependencies, for state that is reset, not updated
     * @param names the canonical names of {@code params}
     * @param multipliers each parameter's learning-rate multiplier
     */
    TensorflowOptimizer create(
        Optimizer spec, Ops after, Ops init, List<String> names, List<Variable<TFloat32>> params,
        List<Operand<TFloat32>> grads, double[] multipliers);
  }

  static final TensorflowParts STANDARD = new TensorflowParts(TensorflowOptimizer::of);
}
