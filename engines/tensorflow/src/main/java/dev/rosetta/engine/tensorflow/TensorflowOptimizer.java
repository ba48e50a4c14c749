package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Optimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssignAdd;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * The optimizer math of docs/spec.md as graph ops on TF variables, written out op by op in the
 * same float32 order as the PyTorch backend (TF's ApplyAdam kernel uses the epsilon-hat form,
 * which is not PyTorch's). Every op is built under control dependencies on all gradients and
 * the loss: otherwise a later layer's update can land before an earlier layer's backward pass
 * reads that weight, and TF silently drifts from PyTorch.
 *
 * <p>The learning rate is fed each step as a float64 scalar (a schedule's value); each
 * parameter's rate is that times its layer's multiplier in float64, rounded once to float32, as
 * the PyTorch backend rounds it in Java.
 */
final class TensorflowOptimizer {
  private final List<Op> updates = new ArrayList<>();
  private final List<Op> resets = new ArrayList<>();
  /** State variables by checkpoint name, {@code <parameter>/<slot>}. */
  private final Map<String, Variable<TFloat32>> slots = new LinkedHashMap<>();

  private final Ops init;
  private final Ops scope;
  private final Variable<TFloat64> step;
  private final AssignAdd<TFloat64> t;
  private final Placeholder<TFloat64> learningRate;
  private final double[] multipliers;

  /**
   * @param after ops scoped with control dependencies on every gradient and the loss
   * @param init ops without those dependencies, for the state-resetting ops
   */
  private TensorflowOptimizer(Ops after, Ops init, double[] multipliers) {
    this.init = init;
    this.multipliers = multipliers.clone();
    this.step =
        init.withSubScope("optimizer").withName("step").variable(org.tensorflow.ndarray.Shape.scalar(), TFloat64.class);
    resets.add(init.assign(step, init.constant(0.0)));
    this.learningRate =
        init.withSubScope("optimizer").withName("learning_rate")
            .placeholder(TFloat64.class, Placeholder.shape(org.tensorflow.ndarray.Shape.scalar()));
    // The step counter lives in the graph; bias corrections are computed in float64 and cast
    // once, as the PyTorch backend computes them in Java doubles.
    this.t = after.withSubScope("optimizer").withName("next_step").assignAdd(step, after.constant(1.0));
    updates.add(t);
    this.scope = after.withSubScope("optimizer");
  }

  /**
   * The update ops of the spec's optimizer kind for every parameter.
   *
   * @param names the canonical names of {@code params}, which name their state
   * @param multipliers each parameter's learning-rate multiplier
   */
  static TensorflowOptimizer of(
      Optimizer spec, Ops after, Ops init, List<String> names, List<Variable<TFloat32>> params,
      List<Operand<TFloat32>> grads, double[] multipliers) {
    TensorflowOptimizer o = new TensorflowOptimizer(after, init, multipliers);
    spec.accept(new Optimizer.Visitor<Void>() {
      @Override
      public Void sgd(Optimizer.Sgd sgd) {
        for (int i = 0; i < params.size(); i++) {
          o.sgd(sgd, names.get(i), params.get(i), grads.get(i), o.rate(i));
        }
        return null;
      }

      @Override
      public Void adam(Optimizer.Adam a) {
        o.adams(a.beta1(), a.beta2(), a.epsilon(), a.weightDecay(), 0, a.variant() == Optimizer.Adam.Variant.KERAS,
            names, params, grads);
        return null;
      }

      @Override
      public Void adamW(Optimizer.AdamW a) {
        o.adams(a.beta1(), a.beta2(), a.epsilon(), 0, a.weightDecay(), false, names, params, grads);
        return null;
      }
    });
    return o;
  }

  /** Parameter {@code i}'s rate, learning_rate * multiplier in float64. */
  private Operand<TFloat64> rate(int i) {
    return scope.math.mul(learningRate, scope.constant(multipliers[i]));
  }

  private Ops scopeOf(Variable<TFloat32> w) {
    return scope.withSubScope(w.op().name().replace('.', '_'));
  }

  /** {@code g + wd * w}: L2 weight decay, shared by SGD and Adam. */
  private static Operand<TFloat32> withWeightDecay(Ops s, Operand<TFloat32> g, Variable<TFloat32> w, double wd) {
    return wd == 0 ? g : s.math.add(g, s.math.mul(w, f(s, wd)));
  }

  private void sgd(Optimizer.Sgd sgd, String name, Variable<TFloat32> w, Operand<TFloat32> grad, Operand<TFloat64> lr) {
    Ops s = scopeOf(w);
    Operand<TFloat32> g = withWeightDecay(s, grad, w, sgd.weightDecay());
    if (sgd.momentum() != 0) {
      Variable<TFloat32> buf = slot(name, w, "momentum");
      Operand<TFloat32> m = f(s, sgd.momentum());
      Operand<TFloat32> bufNew = s.assign(buf, s.math.add(s.math.mul(buf, m), g));
      g = sgd.nesterov() ? s.math.add(g, s.math.mul(bufNew, m)) : bufNew;
    }
    updates.add(s.assignSub(w, s.math.mul(g, s.dtypes.cast(lr, TFloat32.class))));
  }

  /**
   * Adam in its three forms: PyTorch's ({@code l2} decay in the gradient), Keras's (epsilon on
   * the uncorrected root) and AdamW ({@code decoupled} decay applied to the weights first).
   */
  private void adams(
      double beta1, double beta2, double epsilon, double l2, double decoupled, boolean keras, List<String> names,
      List<Variable<TFloat32>> params, List<Operand<TFloat32>> grads) {
    Operand<TFloat64> one = scope.constant(1.0);
    Operand<TFloat64> bc1 = scope.math.sub(one, scope.math.pow(scope.constant(beta1), t));
    Operand<TFloat64> sqrtBc2 = scope.math.sqrt(scope.math.sub(one, scope.math.pow(scope.constant(beta2), t)));
    Operand<TFloat32> sqrtBc2f = scope.dtypes.cast(sqrtBc2, TFloat32.class);
    for (int i = 0; i < params.size(); i++) {
      Variable<TFloat32> w = params.get(i);
      Ops s = scopeOf(w);
      Operand<TFloat64> lr = rate(i);
      Operand<TFloat32> stepSize =
          s.dtypes.cast(keras ? s.math.div(s.math.mul(lr, sqrtBc2), bc1) : s.math.div(lr, bc1), TFloat32.class);
      Ops after = s;
      if (decoupled != 0) {
        Operand<TFloat32> decay = s.dtypes.cast(s.math.sub(one, s.math.mul(lr, s.constant(decoupled))), TFloat32.class);
        Op decayed = s.assign(w, s.math.mul(w, decay));
        updates.add(decayed);
        // The Adam step reads the decayed weight, as PyTorch's AdamW does.
        after = s.withControlDependencies(List.of(decayed));
      }
      Operand<TFloat32> g = withWeightDecay(s, grads.get(i), w, l2);
      Variable<TFloat32> m = slot(names.get(i), w, "m");
      Variable<TFloat32> v = slot(names.get(i), w, "v");
      Operand<TFloat32> mNew =
          s.assign(m, s.math.add(s.math.mul(m, f(s, beta1)), s.math.mul(g, f(s, 1 - beta1))));
      Operand<TFloat32> vNew =
          s.assign(v, s.math.add(s.math.mul(v, f(s, beta2)), s.math.mul(s.math.square(g), f(s, 1 - beta2))));
      Operand<TFloat32> root = s.math.sqrt(vNew);
      Operand<TFloat32> denom = keras
          ? s.math.add(root, f(s, epsilon))
          : s.math.add(s.math.div(root, sqrtBc2f), f(s, epsilon));
      updates.add(after.assignSub(w, s.math.mul(s.math.div(mNew, denom), stepSize)));
    }
  }

  private Variable<TFloat32> slot(String param, Variable<TFloat32> w, String kind) {
    Variable<TFloat32> slot =
        init.withSubScope(w.op().name()).withName(kind).variable(w.shape(), TFloat32.class);
    resets.add(init.assign(slot, init.zeros(init.constant(w.shape().asArray()), TFloat32.class)));
    slots.put(param + "/" + kind, slot);
    return slot;
  }

  /** A float32 constant rounded from the double the spec holds, as the PyTorch backend does. */
  private static Operand<TFloat32> f(Ops s, double v) {
    return s.constant((float) v);
  }

  /** Ops that apply one step; run them as targets. */
  List<Op> updates() {
    return updates;
  }

  /** Ops that zero the optimizer state and the step counter. */
  List<Op> resets() {
    return resets;
  }

  /** The learning rate to feed with every train step. */
  Placeholder<TFloat64> learningRate() {
    return learningRate;
  }

  /** The steps taken, a float64 scalar variable. */
  Variable<TFloat64> step() {
    return step;
  }

  /** State variables by checkpoint name, {@code <parameter>/<slot>}, in a fixed order. */
  Map<String, Variable<TFloat32>> slots() {
    return slots;
  }
}
