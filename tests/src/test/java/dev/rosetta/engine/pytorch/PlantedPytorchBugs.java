package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.rosetta.backend.Backend;
import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Optimizer;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * PyTorch backends with exactly one realistic mistake each, planted from test code through the
 * backend's parts (its layer blocks, loss or optimizer). The parity judge must fail every one;
 * see PlantedBugsTest.
 */
public final class PlantedPytorchBugs {
  private PlantedPytorchBugs() {}

  private static Backend with(PytorchParts parts) {
    return new PytorchBackend(parts);
  }

  private static Backend optimizer(PytorchParts.OptimizerFactory f) {
    return with(PytorchParts.STANDARD.withOptimizer(f));
  }

  private static Backend layers(PytorchParts.LayerBlocks f) {
    return with(PytorchParts.STANDARD.withLayers(f));
  }

  /** Adam with epsilon inside the square root: {@code m / sqrt(v_hat + eps)}. */
  public static Backend adamEpsilonInsideTheRoot() {
    return optimizer((spec, names, params, state, multipliers) -> new BuggyAdam((Optimizer.Adam) spec, names, params, state, true, true));
  }

  /** Adam without the bias corrections of m and v. */
  public static Backend adamWithoutBiasCorrection() {
    return optimizer((spec, names, params, state, multipliers) -> new BuggyAdam((Optimizer.Adam) spec, names, params, state, false, false));
  }

  /** SGD momentum kept as an exponential average: {@code b = m b + (1 - m) g} (dampening = m). */
  public static Backend momentumAsAnAverage() {
    return optimizer((spec, names, params, state, multipliers) -> new BuggySgd((Optimizer.Sgd) spec, names, params, state, Mistake.DAMPENED));
  }

  /** Nesterov asked for, the plain momentum update done. */
  public static Backend nesterovAsPlainMomentum() {
    return optimizer((spec, names, params, state, multipliers) -> new BuggySgd((Optimizer.Sgd) spec, names, params, state, Mistake.NO_LOOK_AHEAD));
  }

  /** Weight decay applied to the weights after the step (decoupled) instead of added to the gradient. */
  public static Backend decoupledWeightDecay() {
    return optimizer((spec, names, params, state, multipliers) -> new BuggySgd((Optimizer.Sgd) spec, names, params, state, Mistake.DECOUPLED_DECAY));
  }

  /** The learning rate stored as a rounded constant, 1 % low. */
  public static Backend learningRateOnePercentLow() {
    return optimizer((spec, names, params, state, multipliers) -> {
      Optimizer.Sgd s = (Optimizer.Sgd) spec;
      return PytorchOptimizer.of(new Optimizer.Sgd(s.learningRate() * 0.99, s.momentum(), s.weightDecay(), s.nesterov()),
          names, params, state, multipliers);
    });
  }

  /** Dropout multiplied by the mask of the previous step. */
  public static Backend dropoutMasksOfThePreviousStep() {
    return layers((shape, seed, step, memory) -> new PytorchLowering.LayerBlock(shape, seed, step, memory) {
      @Override
      public Block dropout(Layer.Dropout d) {
        LongSupplier previous = () -> step.getAsLong() - 1;
        return new TorchDropout(d.name(), d.rate(), seed, previous, memory);
      }
    });
  }

  /** Batch norm storing the biased batch variance in running_var. */
  public static Backend batchNormBiasedRunningVariance() {
    return layers((shape, seed, step, memory) -> new PytorchLowering.LayerBlock(shape, seed, step, memory) {
      @Override
      public Block batchNorm(Layer.BatchNorm b) {
        return new BiasedVarianceBatchNorm(b, shape);
      }
    });
  }

  /** Batch norm momentum read in Keras's convention: 0.9 where the spec says 0.1. */
  public static Backend batchNormMomentumInverted() {
    return layers((shape, seed, step, memory) -> new PytorchLowering.LayerBlock(shape, seed, step, memory) {
      @Override
      public Block batchNorm(Layer.BatchNorm b) {
        return new TorchBatchNorm(new Layer.BatchNorm(b.name(), 1 - b.momentum(), b.epsilon()), shape.input().dim(0));
      }
    });
  }

  /** GELU's tanh approximation where the exact form is asked for. */
  public static Backend geluTanhForExact() {
    return layers((shape, seed, step, memory) -> new PytorchLowering.LayerBlock(shape, seed, step, memory) {
      @Override
      public Block gelu(Layer.Gelu g) {
        return super.gelu(new Layer.Gelu(g.name(), Layer.Gelu.Approximation.TANH));
      }
    });
  }

  /** Cross-entropy summed and divided by the batch size of the spec, so a short last batch weighs less. */
  public static Backend lastBatchAveragedOverTheFullBatchSize() {
    return with(PytorchParts.STANDARD.withLoss(PlantedPytorchBugs::fullBatchMean));
  }

  private static NDArray fullBatchMean(CheckedSpec spec, NDArray out, Batch batch, StepMemory memory) {
    if (!(spec.loss() instanceof Loss.CrossEntropy)) {
      throw new IllegalArgumentException("the planted loss is a cross-entropy");
    }
    long[] labels = new long[batch.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = batch.labels()[i];
    }
    NDArray y = memory.longs(labels, new ai.djl.ndarray.types.Shape(batch.size(), 1));
    return out.logSoftmax(-1).gather(y, 1).sum().neg().div(spec.training().batchSize());
  }

  private static double[] ones(List<NDArray> params) {
    double[] m = new double[params.size()];
    java.util.Arrays.fill(m, 1.0);
    return m;
  }

  private enum Mistake {
    DAMPENED,
    NO_LOOK_AHEAD,
    DECOUPLED_DECAY
  }

  /** SGD with one of three mistakes; otherwise torch.optim.SGD. */
  private static final class BuggySgd extends PytorchOptimizer {
    private final Optimizer.Sgd spec;
    private final Mistake mistake;
    private final NDArray lr;
    private final NDArray momentum;
    private final NDArray oneMinusMomentum;
    private final NDArray weightDecay;
    private final List<NDArray> buffers;

    BuggySgd(Optimizer.Sgd spec, List<String> names, List<NDArray> params, NDManager state, Mistake mistake) {
      super(names, params, state, spec.learningRate(), ones(params));
      this.spec = spec;
      this.mistake = mistake;
      this.lr = scalar(spec.learningRate());
      this.momentum = scalar(spec.momentum());
      this.oneMinusMomentum = scalar(1 - spec.momentum());
      this.weightDecay = scalar(spec.weightDecay());
      this.buffers = zerosLikeParams();
    }

    @Override
    protected void update(int i, NDArray w, NDArray grad, NDManager scope) {
      NDArray g = mistake == Mistake.DECOUPLED_DECAY ? grad : withWeightDecay(grad, w, weightDecay, scope);
      NDArray buf = buffers.get(i);
      if (mistake == Mistake.DAMPENED) {
        buf.muli(momentum).addi(in(scope, g.mul(oneMinusMomentum)));
      } else {
        buf.muli(momentum).addi(g);
      }
      NDArray step = spec.nesterov() && mistake != Mistake.NO_LOOK_AHEAD ? in(scope, g.add(in(scope, buf.mul(momentum)))) : buf;
      w.subi(in(scope, step.mul(lr)));
      if (mistake == Mistake.DECOUPLED_DECAY) {
        w.subi(in(scope, w.mul(weightDecay)).muli(lr));
      }
    }

    @Override
    protected Map<String, NDArray> slots(int i) {
      return Map.of("momentum", buffers.get(i));
    }
  }

  /** Adam with epsilon inside the root, or without bias correction; otherwise torch.optim.Adam. */
  private static final class BuggyAdam extends PytorchOptimizer {
    private final Optimizer.Adam spec;
    private final boolean corrected;
    private final boolean epsilonInsideRoot;
    private final NDArray beta1;
    private final NDArray oneMinusBeta1;
    private final NDArray beta2;
    private final NDArray oneMinusBeta2;
    private final NDArray epsilon;
    private final List<NDArray> first;
    private final List<NDArray> second;
    private NDArray stepSize;
    private NDArray bc2;

    BuggyAdam(
        Optimizer.Adam spec, List<String> names, List<NDArray> params, NDManager state, boolean corrected,
        boolean epsilonInsideRoot) {
      super(names, params, state, spec.learningRate(), ones(params));
      this.spec = spec;
      this.corrected = corrected;
      this.epsilonInsideRoot = epsilonInsideRoot;
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
      double c1 = corrected ? 1 - Math.pow(spec.beta1(), t) : 1;
      double c2 = corrected ? 1 - Math.pow(spec.beta2(), t) : 1;
      stepSize = scope.create((float) (spec.learningRate() / c1));
      bc2 = scope.create((float) c2);
    }

    @Override
    protected void update(int i, NDArray w, NDArray g, NDManager scope) {
      NDArray m = first.get(i);
      NDArray v = second.get(i);
      m.muli(beta1).addi(in(scope, g.mul(oneMinusBeta1)));
      v.muli(beta2).addi(in(scope, g.square()).muli(oneMinusBeta2));
      NDArray vHat = in(scope, v.div(bc2));
      NDArray denom = epsilonInsideRoot ? in(scope, vHat.add(epsilon)).sqrt() : in(scope, vHat.sqrt()).addi(epsilon);
      w.subi(in(scope, m.div(in(scope, denom))).muli(stepSize));
    }

    @Override
    protected Map<String, NDArray> slots(int i) {
      return Map.of("m", first.get(i), "v", second.get(i));
    }
  }

  /**
   * libtorch's batch norm on copies of the running statistics (so the buffers themselves are not
   * in the autograd graph), which are then stored with the biased batch variance where PyTorch
   * stores the unbiased one.
   */
  private static final class BiasedVarianceBatchNorm extends TorchBatchNorm {
    private static final NDIndex ALL = new NDIndex("...");
    private final int channels;

    BiasedVarianceBatchNorm(Layer.BatchNorm b, LayerShape shape) {
      super(b, shape.input().dim(0));
      this.channels = shape.input().dim(0);
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      if (!training) {
        return super.forwardInternal(store, inputs, false, params);
      }
      NDArray x = inputs.singletonOrThrow();
      PtNDArray rm = value(store, runningMean, x, true);
      PtNDArray rv = value(store, runningVar, x, true);
      PtNDArray rmCopy = (PtNDArray) rm.duplicate();
      PtNDArray rvCopy = (PtNDArray) rv.duplicate();
      NDArray y = JniUtils.batchNorm((PtNDArray) x, rmCopy, rvCopy, value(store, weight, x, true),
          value(store, bias, x, true), true, momentum, epsilon);
      NDArray data = x.stopGradient();
      int[] axes = data.getShape().dimension() == 2 ? new int[] {0} : new int[] {0, 2, 3};
      long n = data.size() / channels;
      NDArray biased = data.sub(data.mean(axes, true)).square().mean(axes);
      // libtorch added momentum * biased * n / (n - 1); the planted mistake keeps momentum * biased.
      rm.set(ALL, rmCopy);
      rv.set(ALL, rvCopy.sub(biased.mul((float) (momentum / (n - 1)))));
      return new NDList(y);
    }
  }
}
