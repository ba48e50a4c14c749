package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rosetta.spec.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The optimizer math of docs/spec.md on NDArrays, updating parameters in place. Written out
 * rather than using DJL's optimizers, whose conventions (MXNet-style momentum, gradient
 * rescaling and clipping) differ from PyTorch's. State lives in the model's manager; every
 * temporary is attached to the per-step manager.
 */
final class PytorchOptimizer {
  private final Optimizer spec;
  private final List<NDArray> params;
  private final List<NDArray> first = new ArrayList<>();
  private final List<NDArray> second = new ArrayList<>();
  private long t;

  PytorchOptimizer(Optimizer spec, List<NDArray> params, NDManager stateManager) {
    this.spec = spec;
    this.params = params;
    for (NDArray p : params) {
      boolean needsFirst =
          spec instanceof Optimizer.Adam || (spec instanceof Optimizer.Sgd s && s.momentum() != 0);
      first.add(needsFirst ? stateManager.zeros(p.getShape()) : null);
      second.add(spec instanceof Optimizer.Adam ? stateManager.zeros(p.getShape()) : null);
    }
  }

  /** Applies one update from the parameters' gradients, then zeroes them. */
  void step(NDManager scope) {
    t++;
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i);
      NDArray grad = in(scope, w.getGradient());
      if (spec instanceof Optimizer.Sgd s && s.momentum() == 0 && s.weightDecay() == 0) {
        // Plain SGD, the common case: scale the gradient in place, apply it, clear it; no
        // temporaries. Same float ops as below: w - (lr * g).
        w.subi(grad.muli((float) s.learningRate()));
        grad.subi(grad);
        continue;
      }
      NDArray g = grad;
      if (spec.weightDecay() != 0) {
        g = g.add(in(scope, w.mul((float) spec.weightDecay())));
      }
      if (spec instanceof Optimizer.Sgd s) {
        if (s.momentum() != 0) {
          NDArray buf = first.get(i);
          buf.muli((float) s.momentum()).addi(g);
          g = s.nesterov() ? g.add(in(scope, buf.mul((float) s.momentum()))) : buf;
        }
        w.subi(in(scope, g.mul((float) s.learningRate())));
      } else if (spec instanceof Optimizer.Adam a) {
        NDArray m = first.get(i);
        NDArray v = second.get(i);
        m.muli((float) a.beta1()).addi(g.mul((float) (1 - a.beta1())));
        v.muli((float) a.beta2()).addi(g.square().muli((float) (1 - a.beta2())));
        double bc1 = 1 - Math.pow(a.beta1(), t);
        double bc2 = 1 - Math.pow(a.beta2(), t);
        NDArray denom = in(scope, v.sqrt()).divi((float) Math.sqrt(bc2)).addi((float) a.epsilon());
        w.subi(in(scope, m.div(denom)).muli((float) (a.learningRate() / bc1)));
      }
      grad.subi(grad);
    }
  }

  private static NDArray in(NDManager scope, NDArray a) {
    a.attach(scope);
    return a;
  }
}
