package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.rosetta.spec.Optimizer;
import java.util.ArrayList;
import dev.rosetta.backend.OptimizerState;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 *
 * <p>The learning rate is the schedule's current value times each parameter's layer multiplier,
 * computed in Java double and rounded once to float32, as the TensorFlow backend rounds it.
 */
abstract class PytorchOptimizer {
  protected final NDManager stateManager;
  protected final List<NDArray> params;
  /** The canonical names of {@link #params}, which name their state in checkpoints. */
  protected final List<String> names;
  private final NDArray[] grads;
  private final double[] multipliers;
  /** The schedule's current rate. */
  protected double learningRate;
  /** Steps taken, 1-based during {@link #update}. */
  protected long t;

  protected PytorchOptimizer(
      List<String> names, List<NDArray> params, NDManager stateManager, double learningRate, double[] multipliers) {
    this.stateManager = stateManager;
    this.names = names;
    this.params = params;
    this.grads = new NDArray[params.size()];
    this.learningRate = learningRate;
    this.multipliers = multipliers.clone();
  }

  /**
   * The update of the spec's optimizer kind.
   *
   * @param multipliers each parameter's learning-rate multiplier (its layer's)
   */
  static PytorchOptimizer of(
      Optimizer spec, List<String> names, List<NDArray> params, NDManager stateManager, double[] multipliers) {
    return spec.accept(new Optimizer.Visitor<PytorchOptimizer>() {
      @Override
      public PytorchOptimizer sgd(Optimizer.Sgd s) {
        return new Sgd(s, names, params, stateManager, multipliers);
      }

      @Override
      public PytorchOptimizer adam(Optimizer.Adam a) {
        return new Adam(a.learningRate(), a.beta1(), a.beta2(), a.epsilon(), a.weightDecay(), 0,
            a.variant() == Optimizer.Adam.Variant.KERAS, true, names, params, stateManager, multipliers);
      }

      @Override
      public PytorchOptimizer adamW(Optimizer.AdamW a) {
        return new Adam(a.learningRate(), a.beta1(), a.beta2(), a.epsilon(), 0, a.weightDecay(), false, true,
            names, params, stateManager, multipliers);
      }
    });
  }

  /** Whether there is nothing to update: the model has no trainable parameters. */
  final boolean isEmpty() {
    return params.isEmpty();
  }

  /** The rate the next steps use (a schedule's value); each parameter's multiplier still applies. */
  final void setLearningRate(double lr) {
    if (lr != learningRate) {
      learningRate = lr;
      learningRateChanged();
    }
  }

  /** Parameter {@code i}'s rate: the current rate times its multiplier, in double. */
  protected final double learningRate(int i) {
    return learningRate * multipliers[i];
  }

  /** Subclasses holding rates as tensors remake them. */
  protected void learningRateChanged() {}

  /**
   * Applies one update from the parameters' gradients, then zeroes them.
   *
   * @param clip turns the raw gradients into the ones the update uses (clipping), or null
   */
  final void step(StepMemory memory, GradientClip clip) {
    NDManager scope = memory.scope();
    t++;
    beginStep(scope);
    NDArray[] g = gradients();
    if (clip != null) {
      g = clip.apply(g, scope);
    }
    updateAll(g, memory);
  }

  /** Each parameter's gradient, in parameter order. */
  protected final NDArray[] gradients() {
    NDArray[] g = new NDArray[params.size()];
    for (int i = 0; i < g.length; i++) {
      g[i] = grad(i);
    }
    return g;
  }

  /**
   * Updates every parameter from the gradient {@code g} the update uses, then zeroes the
   * parameters' gradients: by default one parameter at a time, through {@link #update}.
   */
  protected void updateAll(NDArray[] g, StepMemory memory) {
    for (int i = 0; i < params.size(); i++) {
      NDArray w = params.get(i);
      update(i, w, g[i], memory.scope());
      JniUtils.zeroGrad((PtNDArray) w);
    }
  }

  /** Per-step values shared by every parameter (bias corrections), in {@code scope}. */
  protected void beginStep(NDManager scope) {}

  /**
   * Updates {@code w} in place from its gradient {@code g}, which it may overwrite (it is either
   * the gradient itself, cleared after the step, or a clipped temporary).
   */
  protected abstract void update(int i, NDArray w, NDArray g, NDManager scope);

  /**
   * Optimizer state for checkpoints: the step count and each state tensor under {@code
   * <parameter>/<slot>} ({@code fc1.weight/momentum}, {@code fc1.weight/m}), the names every
   * backend uses.
   */
  final OptimizerState state() {
    Map<String, float[]> tensors = new LinkedHashMap<>();
    for (int i = 0; i < params.size(); i++) {
      for (Map.Entry<String, NDArray> slot : slots(i).entrySet()) {
        tensors.put(names.get(i) + "/" + slot.getKey(), slot.getValue().toFloatArray());
      }
    }
    return new OptimizerState(t, tensors);
  }

  /** Restores {@link #state()}; the caller has checked the names. */
  final void loadState(OptimizerState state) {
    t = state.step();
    for (int i = 0; i < params.size(); i++) {
      for (Map.Entry<String, NDArray> slot : slots(i).entrySet()) {
        overwrite(slot.getValue(), state.tensors().get(names.get(i) + "/" + slot.getKey()));
      }
    }
  }

  /** Parameter {@code i}'s state tensors by slot name, in a fixed order. */
  protected abstract Map<String, NDArray> slots(int i);

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

  /** Copies values into a state tensor exactly (an indexed copy; see PytorchModel#overwrite). */
  protected final void overwrite(NDArray target, float[] values) {
    try (NDManager scope = stateManager.newSubManager()) {
      target.set(new ai.djl.ndarray.index.NDIndex("..."), scope.create(values, target.getShape()));
    }
  }

  /** Distinct per-parameter float32 rates as scalar tensors, remade when the rate changes. */
  protected final class Rates {
    private final NDArray[] byParam;
    private final Map<Float, NDArray> made = new HashMap<>();

    Rates() {
      this.byParam = new NDArray[params.size()];
      remake();
    }

    void remake() {
      made.values().forEach(NDArray::close);
      made.clear();
      for (int i = 0; i < byParam.length; i++) {
        byParam[i] = made.computeIfAbsent((float) learningRate(i), v -> stateManager.create(v));
      }
    }

    NDArray of(int i) {
      return byParam[i];
    }
  }

  /** SGD with optional momentum, Nesterov and weight decay: PyTorch's {@code torch.optim.SGD}. */
  static class Sgd extends PytorchOptimizer {
    private final Optimizer.Sgd spec;
    private final Rates lr;
    private final NDArray weightDecay;
    private final NDArray momentum;
    private final List<NDArray> buffers;

    Sgd(Optimizer.Sgd spec, List<String> names, List<NDArray> params, NDManager stateManager, double[] multipliers) {
      super(names, params, stateManager, spec.learningRate(), multipliers);
      this.spec = spec;
      this.lr = new Rates();
      this.weightDecay = scalar(spec.weightDecay());
      this.momentum = scalar(spec.momentum());
      this.buffers = spec.momentum() != 0 ? zerosLikeParams() : null;
    }

    @Override
    protected void learningRateChanged() {
      lr.remake();
    }

    @Override
    protected void update(int i, NDArray w, NDArray grad, NDManager scope) {
      if (buffers == null && spec.weightDecay() == 0) {
        // Plain SGD, the common case: scale the gradient in place and apply it; no temporaries.
        // Same float ops as below: w - (lr * g).
        w.subi(grad.muli(lr.of(i)));
        return;
      }
      NDArray g = spec.weightDecay() != 0 ? withWeightDecay(grad, w, weightDecay, scope) : grad;
      if (buffers != null) {
        NDArray buf = buffers.get(i);
        buf.muli(momentum).addi(g);
        g = spec.nesterov() ? in(scope, g.add(in(scope, buf.mul(momentum)))) : buf;
      }
      w.subi(in(scope, g.mul(lr.of(i))));
    }

    @Override
    protected Map<String, NDArray> slots(int i) {
      return buffers == null ? Map.of() : Map.of("momentum", buffers.get(i));
    }
  }

  /**
   * Adam in three forms: PyTorch's (L2 decay in the gradient), Keras's (epsilon on the
   * uncorrected root) and AdamW (decoupled decay before the step); bias corrections in double.
   *
   * <p>{@link #update} writes the update out op by op, one parameter at a time: about 14 libtorch
   * calls per parameter through JNI, which on a small model cost more than the arithmetic. The
   * step users get runs the same ops in the same order over all parameters at once, in one call
   * into a TorchScript module ({@code adam_update.pt}, made by {@code
   * src/main/python/adam_update.py}) built on libtorch's {@code _foreach_} ops; a test holds the
   * two to the same bits.
   */
  static class Adam extends PytorchOptimizer {
    private final double beta1Value;
    private final double beta2Value;
    private final double l2;
    private final double decoupled;
    private final boolean keras;
    private final boolean fused;
    private final NDArray weightDecay;
    private final NDArray beta1;
    private final NDArray oneMinusBeta1;
    private final NDArray beta2;
    private final NDArray oneMinusBeta2;
    private final NDArray epsilon;
    private final List<NDArray> first;
    private final List<NDArray> second;
    /** This step's float32 step size and AdamW decay factor per parameter, and sqrt(bc2). */
    private final float[] stepSize;
    private final float[] decay;
    private float sqrtBc2;
    /** The per-op form's step constants as tensors, made on first use in a step. */
    private final Map<Float, NDArray> stepConstants = new HashMap<>();
    private FusedUpdate fusedUpdate;

    /**
     * @param l2 weight decay added to the gradient (Adam)
     * @param decoupled weight decay applied to the weights (AdamW)
     * @param fused whether a step is one call into the TorchScript module or {@link #update}'s ops
     */
    Adam(
        double lr, double beta1, double beta2, double epsilon, double l2, double decoupled, boolean keras, boolean fused,
        List<String> names, List<NDArray> params, NDManager stateManager, double[] multipliers) {
      super(names, params, stateManager, lr, multipliers);
      this.beta1Value = beta1;
      this.beta2Value = beta2;
      this.l2 = l2;
      this.decoupled = decoupled;
      this.keras = keras;
      this.fused = fused;
      this.weightDecay = scalar(l2);
      this.beta1 = scalar(beta1);
      this.oneMinusBeta1 = scalar(1 - beta1);
      this.beta2 = scalar(beta2);
      this.oneMinusBeta2 = scalar(1 - beta2);
      this.epsilon = scalar(epsilon);
      this.first = zerosLikeParams();
      this.second = zerosLikeParams();
      this.stepSize = new float[params.size()];
      this.decay = new float[params.size()];
    }

    @Override
    protected void beginStep(NDManager scope) {
      double bc1 = 1 - Math.pow(beta1Value, t);
      double bc2 = 1 - Math.pow(beta2Value, t);
      for (int i = 0; i < stepSize.length; i++) {
        double lr = learningRate(i);
        stepSize[i] = (float) (keras ? lr * Math.sqrt(bc2) / bc1 : lr / bc1);
        decay[i] = (float) (1 - lr * decoupled);
      }
      sqrtBc2 = (float) Math.sqrt(bc2);
      stepConstants.clear();
    }

    @Override
    protected void updateAll(NDArray[] g, StepMemory memory) {
      if (!fused) {
        super.updateAll(g, memory);
        return;
      }
      if (fusedUpdate == null) {
        fusedUpdate = new FusedUpdate(stateManager, params, gradients(), first, second,
            new float[] {beta1.getFloat(), oneMinusBeta1.getFloat(), beta2.getFloat(), oneMinusBeta2.getFloat(),
                epsilon.getFloat(), weightDecay.getFloat()}, keras);
      }
      NDArray steps = memory.floats(stepSize, new ai.djl.ndarray.types.Shape(stepSize.length));
      NDArray decays = decoupled != 0
          ? memory.floats(decay, new ai.djl.ndarray.types.Shape(decay.length))
          : memory.floats(new float[0], new ai.djl.ndarray.types.Shape(0));
      fusedUpdate.run(g, sqrtBc2, steps, decays);
    }

    /** A step constant as a float32 scalar tensor in the step's scope, one per distinct value. */
    private NDArray constant(float value, NDManager scope) {
      return stepConstants.computeIfAbsent(value, scope::create);
    }

    @Override
    protected void update(int i, NDArray w, NDArray grad, NDManager scope) {
      if (decoupled != 0) {
        w.muli(constant(decay[i], scope));
      }
      NDArray g = l2 != 0 ? withWeightDecay(grad, w, weightDecay, scope) : grad;
      NDArray m = first.get(i);
      NDArray v = second.get(i);
      m.muli(beta1).addi(in(scope, g.mul(oneMinusBeta1)));
      v.muli(beta2).addi(in(scope, g.square()).muli(oneMinusBeta2));
      NDArray root = in(scope, v.sqrt());
      NDArray denom = keras ? root.addi(epsilon) : root.divi(constant(sqrtBc2, scope)).addi(epsilon);
      w.subi(in(scope, m.div(denom)).muli(constant(stepSize[i], scope)));
    }

    @Override
    protected Map<String, NDArray> slots(int i) {
      Map<String, NDArray> out = new LinkedHashMap<>();
      out.put("m", first.get(i));
      out.put("v", second.get(i));
      return out;
    }
  }
}
