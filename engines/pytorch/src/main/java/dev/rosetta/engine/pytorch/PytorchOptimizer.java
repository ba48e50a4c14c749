package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.rosetta.spec.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer math of docs/spec.md on NDArrays, updating parameters in place. Written out
 * rather than using DJL's optimizers, whose conventions (MXNet-style momentum, gradient
 * rescaling and clipping) differ from PyTorch's.
 *
 * <p>A step is a handful of native calls per parameter, so the fixed costs matter as much as
 * the arithmetic on small models: the hyperparameters are scalar tensors made once (DJL would
 * otherwise create and free one per multiplication), each parameter's gradient handle is taken
 * once (libtorch accumulates into the same tensor every step) and gradients are cleared with
 * libtorch's {@code zero_}. State and constants live in the model's manager; every temporary is
 * attached to the per-step manager (an op's result belongs to the manager of the array it was
 * called on, so each temporary is attached explicitly).
 */
final class PytorchOptimizer {
  private final Optimizer spec;
  private final NDManager stateManager;
  private final List<NDArray> params;
  private final NDArray[] grads;
  private final List<NDArray> first = new ArrayList<>();
  private final List<NDArray> second = new ArrayList<>();
  private final NDArray lr;
  private final NDArray weightDecay;
  private final NDArray momentum;
  private final NDArray beta1;
  private final NDArray oneMinusBeta1;
  private final NDArray beta2;
  private final NDArray oneMinusBeta2;
  private final NDArray epsilon;
  private long t;

  PytorchOptimizer(Optimizer spec, List<NDArray> params, NDManager stateManager) {
    this.spec = spec;
    this.stateManager = stateManager;
    this.params = params;
    this.grads = new NDArray[params.size()];
    for (NDArray p : params) {
      boolean needsFirst =
          spec instanceof Optimizer.Adam || (spec instanceof Optimizer.Sgd s && s.momentum() != 0);
      first.add(needsFirst ? stateManager.zeros(p.getShape()) : null);
      second.add(spec instanceof Optimizer.Adam ? stateManager.zeros(p.getShape()) : null);
    }
    this.lr = scalar(spec.learningRate());
    this.weightDecay = scalar(spec.weightDecay());
    Optimizer.Sgd sgd = spec instanceof Optimizer.Sgd s ? s : null;
    Optimizer.Adam adam = spec instanceof Optimizer.Adam a ? a : null;
    this.momentum = sgd == null ? null : scalar(sgd.momentum());
    this.beta1 = adam == null ? null : scalar(adam.beta1());
    this.oneMinusBeta1 = adam == null ? null : scalar(1 - adam.beta1());
    this.beta2 = adam == null ? null : scalar(adam.beta2());
    this.oneMinusBeta2 = adam == null ? null : scalar(1 - adam.beta2());
    this.epsilon = adam == null ? null : scalar(adam.epsilon());
  }

  /** Whether there is nothing to update: the model has no trainable parameters. */
  boolean isEmpty() {
    return params.isEmpty();
  }

  /** Applies one update from the parameters' gradients, then zeroes them. */
  void step(NDManager scope) {
    t++;
    NDArray adamStep = null;
    NDArray sqrtBc2 = null;
    if (spec instanceof Optimizer.Adam a) {
      double bc1 = 1 - Math.pow(a.beta1(), t);
      double bc2 = 1 - Math.pow(a.beta2(), t);
      adamStep = scope.create((float) (a.learningRate() / bc1));
      sqrtBc2 = scope.create((float) Math.sqrt(bc2));
    }
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i);
      NDArray grad = grad(i);
      if (spec instanceof Optimizer.Sgd s && s.momentum() == 0 && s.weightDecay() == 0) {
        // Plain SGD, the common case: scale the gradient in place and apply it; no temporaries.
        // Same float ops as below: w - (lr * g).
        w.subi(grad.muli(lr));
      } else {
        NDArray g = grad;
        if (spec.weightDecay() != 0) {
          g = in(scope, g.add(in(scope, w.mul(weightDecay))));
        }
        if (spec instanceof Optimizer.Sgd s) {
          if (s.momentum() != 0) {
            NDArray buf = first.get(i);
            buf.muli(momentum).addi(g);
            g = s.nesterov() ? in(scope, g.add(in(scope, buf.mul(momentum)))) : buf;
          }
          w.subi(in(scope, g.mul(lr)));
        } else {
          NDArray m = first.get(i);
          NDArray v = second.get(i);
          m.muli(beta1).addi(in(scope, g.mul(oneMinusBeta1)));
          v.muli(beta2).addi(in(scope, g.square()).muli(oneMinusBeta2));
          NDArray denom = in(scope, v.sqrt()).divi(sqrtBc2).addi(epsilon);
          w.subi(in(scope, m.div(denom)).muli(adamStep));
        }
      }
      JniUtils.zeroGrad((PtNDArray) w);
    }
  }

  /**
   * The gradient of parameter {@code i}. libtorch keeps accumulating into the same tensor once
   * it exists (backward runs without grad mode), so the handle taken after the first backward
   * stays valid for the life of the model.
   */
  private NDArray grad(int i) {
    if (grads[i] == null) {
      grads[i] = params.get(i).getGradient();
      grads[i].attach(stateManager);
    }
    return grads[i];
  }

  private NDArray scalar(double value) {
    return stateManager.create((float) value);
  }

  private static NDArray in(NDManager scope, NDArray a) {
    a.attach(scope);
    return a;
  }
}
