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
 * rescaling and clipping) differ from PyTorch's. One subclass per optimizer kind, chosen by
 * {@link #of}.
 *
 * <p>A step is a handful of native calls per parameter, so the fixed costs matter as much as
 * the arithmetic on small models: the hyperparameters are scalar tensors made once (DJL would
 * otherwise create and free one per multiplication), each parameter's gradient handle is taken
 * once (libtorch accumulates into the same tensor every step) and gradients are cleared with
 * libtorch's {@code zero_}. State and constants live in the model's manager; every temporary is
 * attached to the per-step manager (an op's result belongs to the manager of the array it was
 * called on, so each temporary is attached explicitly).
 */
abstract class PytorchOptimizer {
  protected final NDManager stateManager;
  protected final List<NDArray> params;
  private final NDArray[] grads;
  /** Steps taken, 1-based during {@link #update}. */
  protected long t;

  protected PytorchOptimizer(List<NDArray> params, NDManager stateManager) {
    this.stateManager = stateManager;
    this.params = params;
    this.grads = new NDArray[params.size()];
  }

  /** The update of the spec's optimizer kind. */
  static PytorchOptimizer of(Optimizer spec, List<NDArray> params, NDManager stateManager) {
    return spec.accept(new Optimizer.Visitor<PytorchOptimizer>() {
      @Override
      public PytorchOptimizer sgd(Optimizer.Sgd s) {
        return new Sgd(s, params, stateManager);
      }

      @Override
      public PytorchOptimizer adam(Optimizer.Adam a) {
        return new Adam(a, params, stateManager);
      }
    });
  }

  /** Whether there is nothing to update: the model has no trainable parameters. */
  final boolean isEmpty() {
    return params.isEmpty();
  }

  /** Applies one update from the parameters' gradients, then zeroes them. */
  final void step(NDManager scope) {
    t++;
    beginStep(scope);
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i);
      update(i, w, grad(i), scope);
      JniUtils.zeroGrad((PtNDArray) w);
    }
  }

  /** Per-step values shared by every parameter (bias corrections), in {@code scope}. */
  protected void beginStep(NDManager scope) {}

  /** Updates {@code w} in place from its gradient {@code g}, which it may overwrite. */
  protected abstract void update(int i, NDArray w, NDArray g, NDManager scope);

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

  protected final NDArray scalar(double value) {
    return stateManager.create((float) value);
  }

  /** A zero tensor shaped like each parameter: optimizer state. */
  protected final List<NDArray> zerosLikeParams() {
    List<NDArray> out = new ArrayList<>();
    for (NDArray p : params) {
      out.add(stateManager.zeros(p.getShape()));
    }
    return out;
  }

  protected static NDArray in(NDManager scope, NDArray a) {
    a.attach(scope);
    return a;
  }

  /** {@code g += wd * w}, the L2 form of weight decay that SGD and Adam share. */
  protected static NDArray withWeightDecay(NDArray g, NDArray w, NDArray weightDecay, NDManager scope) {
    return in(scope, g.add(in(scope, w.mul(weightDecay))));
  }

  /** SGD with optional momentum, Nesterov and weight decay: PyTorch's {@code torch.optim.SGD}. */
  static class Sgd extends PytorchOptimizer {
    private final Optimizer.Sgd spec;
    private final NDArray lr;
    private final NDArray weightDecay;
    private final NDArray momentum;
    private final List<NDArray> buffers;

    Sgd(Optimizer.Sgd spec, List<NDArray> params, NDManager stateManager) {
      super(params, stateManager);
      this.spec = spec;
      this.lr = scalar(spec.learningRate());
      this.weightDecay = scalar(spec.weightDecay());
      this.momentum = scalar(spec.momentum());
      this.buffers = spec.momentum() != 0 ? zerosLikeParams() : null;
    }

    @Override
    protected void update(int i, NDArray w, NDArray grad, NDManager scope) {
      if (buffers == null && spec.weightDecay() == 0) {
        // Plain SGD, the common case: scale the gradient in place and apply it; no temporaries.
        // Same float ops as below: w - (lr * g).
        w.subi(grad.muli(lr));
        return;
      }
      NDArray g = spec.weightDecay() != 0 ? withWeightDecay(grad, w, weightDecay, scope) : grad;
      if (buffers != null) {
        NDArray buf = buffers.get(i);
        buf.muli(momentum).addi(g);
        g = spec.nesterov() ? in(scope, g.add(in(scope, buf.mul(momentum)))) : buf;
      }
      w.subi(in(scope, g.mul(lr)));
    }
  }

  /** PyTorch's {@code torch.optim.Adam} (L2 weight decay), bias corrections in double. */
  static class Adam extends PytorchOptimizer {
    private final Optimizer.Adam spec;
    private final NDArray weightDecay;
    private final NDArray beta1;
    private final NDArray oneMinusBeta1;
    private final NDArray beta2;
    private final NDArray oneMinusBeta2;
    private final NDArray epsilon;
    private final List<NDArray> first;
    private final List<NDArray> second;
    private NDArray stepSize;
    private NDArray sqrtBc2;

    Adam(Optimizer.Adam spec, List<NDArray> params, NDManager stateManager) {
      super(params, stateManager);
      this.spec = spec;
      this.weightDecay = scalar(spec.weightDecay());
      this.beta1 = scalar(spec.beta1());
      this.oneMinusBeta1 = scalar(1 - spec.beta1());
      this.beta2 = scalar(spec.beta2());
      this.oneMinusBeta2 = scalar(1 - spec.beta2());
      this.epsilon = scalar(spec.epsilon());
      this.first = zerosLikeParams();
      this.second = zerosLikeParams();
    }

    @Override
    protected void beginStep(NDManager scope) {
      double bc1 = 1 - Math.pow(spec.beta1(), t);
      double bc2 = 1 - Math.pow(spec.beta2(), t);
      stepSize = scope.create((float) (spec.learningRate() / bc1));
      sqrtBc2 = scope.create((float) Math.sqrt(bc2));
    }

    @Override
    protected void update(int i, NDArray w, NDArray grad, NDManager scope) {
      NDArray g = spec.weightDecay() != 0 ? withWeightDecay(grad, w, weightDecay, scope) : grad;
      NDArray m = first.get(i);
      NDArray v = second.get(i);
      m.muli(beta1).addi(in(scope, g.mul(oneMinusBeta1)));
      v.muli(beta2).addi(in(scope, g.square()).muli(oneMinusBeta2));
      NDArray denom = in(scope, v.sqrt()).divi(sqrtBc2).addi(epsilon);
      w.subi(in(scope, m.div(denom)).muli(stepSize));
    }
  }
}
