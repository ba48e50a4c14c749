package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Optimizer;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssignAdd;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * The optimizer math of docs/spec.md as graph ops on TF variables, written out op by op in the
 * same float32 order as the PyTorch backend (TF's ApplyAdam kernel uses the epsilon-hat form,
 * which is not PyTorch's). Every op is built under control dependencies on all gradients and
 * the loss: otherwise a later layer's update can land before an earlier layer's backward pass
 * reads that weight, and TF silently drifts from PyTorch.
 */
final class TensorflowOptimizer {
  private final List<Op> updates = new ArrayList<>();
  private final List<Op> resets = new ArrayList<>();

  private final Ops init;
  private final Ops scope;
  private final AssignAdd<TFloat64> t;

  /**
   * @param after ops scoped with control dependencies on every gradient and the loss
   * @param init ops without those dependencies, for the state-resetting ops
   */
  private TensorflowOptimizer(Ops after, Ops init) {
    this.init = init;
    Variable<TFloat64> step =
        init.withSubScope("optimizer").withName("step").variable(org.tensorflow.ndarray.Shape.scalar(), TFloat64.class);
    resets.add(init.assign(step, init.constant(0.0)));
    // The step counter lives in the graph; bias corrections are computed in float64 and cast
    // once, as the PyTorch backend computes them in Java doubles.
    this.t = after.withSubScope("optimizer").withName("next_step").assignAdd(step, after.constant(1.0));
    updates.add(t);
    this.scope = after.withSubScope("optimizer");
  }

  /** The update ops of the spec's optimizer kind for every parameter. */
  static TensorflowOptimizer of(
      Optimizer spec, Ops after, Ops init, List<Variable<TFloat32>> params, List<Operand<TFloat32>> grads) {
    TensorflowOptimizer o = new TensorflowOptimizer(after, init);
    spec.accept(new Optimizer.Visitor<Void>() {
      @Override
      public Void sgd(Optimizer.Sgd sgd) {
        for (int i = 0; i < params.size(); i++) {
          o.sgd(sgd, params.get(i), grads.get(i));
        }
        return null;
      }

      @Override
      public Void adam(Optimizer.Adam a) {
        Operand<TFloat64> one = o.scope.constant(1.0);
        Operand<TFloat32> lrOverBc1 =
            o.scope.dtypes.cast(
                o.scope.math.div(o.scope.constant(a.learningRate()), o.scope.math.sub(one, o.scope.math.pow(o.scope.constant(a.beta1()), o.t))),
                TFloat32.class);
        Operand<TFloat32> sqrtBc2 =
            o.scope.dtypes.cast(
                o.scope.math.sqrt(o.scope.math.sub(one, o.scope.math.pow(o.scope.constant(a.beta2()), o.t))), TFloat32.class);
        for (int i = 0; i < params.size(); i++) {
          o.adam(a, params.get(i), grads.get(i), lrOverBc1, sqrtBc2);
        }
        return null;
      }
    });
    return o;
  }

  private Ops scopeOf(Variable<TFloat32> w) {
    return scope.withSubScope(w.op().name().replace('.', '_'));
  }

  /** {@code g + wd * w}: L2 weight decay, shared by SGD and Adam. */
  private static Operand<TFloat32> withWeightDecay(Ops s, Operand<TFloat32> g, Variable<TFloat32> w, double wd) {
    return wd == 0 ? g : s.math.add(g, s.math.mul(w, f(s, wd)));
  }

  private void sgd(Optimizer.Sgd sgd, Variable<TFloat32> w, Operand<TFloat32> grad) {
    Ops s = scopeOf(w);
    Operand<TFloat32> g = withWeightDecay(s, grad, w, sgd.weightDecay());
    if (sgd.momentum() != 0) {
      Variable<TFloat32> buf = slot(init, w, "momentum");
      Operand<TFloat32> m = f(s, sgd.momentum());
      Operand<TFloat32> bufNew = s.assign(buf, s.math.add(s.math.mul(buf, m), g));
      g = sgd.nesterov() ? s.math.add(g, s.math.mul(bufNew, m)) : bufNew;
    }
    updates.add(s.assignSub(w, s.math.mul(g, f(s, sgd.learningRate()))));
  }

  private void adam(
      Optimizer.Adam a, Variable<TFloat32> w, Operand<TFloat32> grad, Operand<TFloat32> lrOverBc1,
      Operand<TFloat32> sqrtBc2) {
    Ops s = scopeOf(w);
    Operand<TFloat32> g = withWeightDecay(s, grad, w, a.weightDecay());
    Variable<TFloat32> m = slot(init, w, "m");
    Variable<TFloat32> v = slot(init, w, "v");
    Operand<TFloat32> mNew =
        s.assign(m, s.math.add(s.math.mul(m, f(s, a.beta1())), s.math.mul(g, f(s, 1 - a.beta1()))));
    Operand<TFloat32> vNew =
        s.assign(v, s.math.add(s.math.mul(v, f(s, a.beta2())), s.math.mul(s.math.square(g), f(s, 1 - a.beta2()))));
    Operand<TFloat32> denom = s.math.add(s.math.div(s.math.sqrt(vNew), sqrtBc2), f(s, a.epsilon()));
    updates.add(s.assignSub(w, s.math.mul(s.math.div(mNew, denom), lrOverBc1)));
  }

  private Variable<TFloat32> slot(Ops init, Variable<TFloat32> w, String kind) {
    Variable<TFloat32> slot =
        init.withSubScope(w.op().name()).withName(kind).variable(w.shape(), TFloat32.class);
    resets.add(init.assign(slot, init.zeros(init.constant(w.shape().asArray()), TFloat32.class)));
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
}
