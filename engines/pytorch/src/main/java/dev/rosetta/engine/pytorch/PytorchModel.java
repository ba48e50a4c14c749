package dev.rosetta.engine.pytorch;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.rosetta.data.Batch;
import dev.rosetta.data.TokenRange;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.backend.OptimizerState;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntUnaryOperator;

/**
 * A spec lowered to DJL blocks on PyTorch. Parameters, buffers (batch norm's running
 * statistics) and optimizer state live in the DJL model's manager; everything a step creates
 * lives in a per-step sub-manager closed at the end of the step, so memory stays flat however
 * long training runs. Buffers travel with the weights (checkpoints carry them) but have no
 * gradient and are never touched by the optimizer; libtorch updates them in training forwards.
 */
final class PytorchModel implements TrainableModel {
  private final CheckedSpec spec;
  private final Engine engine;
  private final Model model;
  private final NDManager manager;
  private final GraphBlock block;
  private final ParameterStore store;
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  private final List<ParamSpec> paramSpecs;
  /** The buffers (non-trainable), which gradient probes must leave as they found them. */
  private final List<NDArray> buffers = new ArrayList<>();
  /** The parameters the optimizer updates: trainable ones of layers that are not frozen. */
  private final List<ParamSpec> trained;
  private final List<Penalty> penalties = new ArrayList<>();
  private final PytorchOptimizer optimizer;
  /** Gradient clipping between backward and the update, or null. */
  private final GradientClip clip;
  private final int outputWidth;
  private long currentStep;
  /** Intra-op threads of training calls (the spec's batch size). */
  private final int threads;
  /** Intra-op threads of an inference call of n samples. */
  private final IntUnaryOperator inferenceThreads;
  private final PytorchParts parts;
  /** The arrays each step copies in (inputs, labels, masks), over memory reused between steps. */
  private final StepMemory memory = new StepMemory();
  /** The input array of float inference calls. */
  private final InferenceInput inferenceInput;

  PytorchModel(CheckedSpec spec, WeightSet weights, Engine engine, int threads, IntUnaryOperator inferenceThreads, PytorchParts parts) {
    this.spec = spec;
    this.parts = parts;
    this.engine = engine;
    this.threads = threads;
    this.inferenceThreads = inferenceThreads;
    TorchThreads.use(threads);
    this.model = Model.newInstance(spec.name(), engine.defaultDevice(), engine.getEngineName());
    this.manager = model.getNDManager();
    this.inferenceInput = new InferenceInput(manager);
    PytorchLowering.Lowered lowered = PytorchLowering.lower(spec, () -> currentStep, memory, parts.layers());
    this.block = lowered.block();
    model.setBlock(block);
    block.initialize(manager, DataType.FLOAT32, PytorchLowering.djlShape(spec.input().withBatch(1)));
    this.paramSpecs = spec.params();
    for (int i = 0; i < spec.shapes().size(); i++) {
      String layer = spec.shape(i).layer().name();
      for (var p : lowered.perLayer().get(i).getParameters()) {
        Parameter djl = p.getValue();
        params.put(layer + "." + djl.getName(), djl.getArray());
      }
    }
    if (!params.keySet().equals(weights.names())) {
      throw new IllegalStateException(
          "PyTorch lowering produced parameters " + params.keySet() + " but the spec declares " + weights.names());
    }
    setWeights(weights);
    this.store = new ParameterStore(manager, false);
    for (ParamSpec p : paramSpecs) {
      if (!p.trainable()) {
        buffers.add(params.get(p.name()));
      }
    }
    this.trained = spec.trainedParams();
    List<NDArray> trainable = new ArrayList<>();
    java.util.Set<String> trainedNames = new java.util.HashSet<>();
    for (ParamSpec p : trained) {
      trainable.add(params.get(p.name()));
      trainedNames.add(p.name());
    }
    for (ParamSpec p : paramSpecs) {
      if (p.trainable() && !trainedNames.contains(p.name())) {
        // A frozen layer's parameter: libtorch computes no gradient for it at all.
        params.get(p.name()).setRequiresGradient(false);
      }
    }
    for (CheckedSpec.Penalty p : spec.penalties()) {
      penalties.add(new Penalty(params.get(p.param()), (float) p.l1(), (float) p.l2()));
    }
    this.optimizer = parts.optimizer().create(
        spec.optimizer(), trained.stream().map(ParamSpec::name).toList(), trainable, manager, spec.lrMultipliers());
    this.clip = GradientClip.of(spec.training());
    this.outputWidth = spec.outputSize();
  }

  /** The DJL model, for users who want DJL's own APIs (Predictor, Translator). */
  Model djlModel() {
    return model;
  }

  @Override
  public void setWeights(WeightSet weights) {
    weights.requireMatches(spec, "weights");
    for (var e : params.entrySet()) {
      overwrite(e.getValue(), weights.get(e.getKey()).data());
    }
  }

  /**
   * Copies {@code values} into {@code target} exactly (signed zeros included). An indexed copy
   * rather than DJL's {@code set(Buffer)}, whose JNI binding enters libtorch's deprecated
   * AutoNonVariableTypeMode and makes libtorch print an alarming warning once per process.
   */
  private void overwrite(NDArray target, float[] values) {
    try (NDManager scope = manager.newSubManager()) {
      target.set(ALL, scope.create(values, target.getShape()));
    }
  }

  private static final NDIndex ALL = new NDIndex("...");

  @Override
  public CheckedSpec spec() {
    return spec;
  }

  @Override
  public String backend() {
    return PytorchBackend.NAME;
  }

  @Override
  public int intraOpThreads() {
    return threads;
  }

  @Override
  public int intraOpThreads(int batch) {
    return inferenceThreads.applyAsInt(batch);
  }

  @Override
  public void setLearningRate(double learningRate) {
    TorchThreads.use(threads);
    optimizer.setLearningRate(learningRate);
  }

  @Override
  public OptimizerState optimizerState() {
    TorchThreads.use(threads);
    return optimizer.state();
  }

  @Override
  public void loadOptimizerState(OptimizerState state) {
    TorchThreads.use(threads);
    OptimizerState.requireFits(state, optimizerState());
    optimizer.loadState(state);
  }

  @Override
  public float trainStep(Batch batch, long step) {
    TorchThreads.use(threads);
    currentStep = step;
    try (NDManager scope = memory.begin(manager.newSubManager())) {
      float loss = forwardBackward(batch, scope);
      optimizer.step(memory, clip);
      return loss;
    }
  }

  /**
   * Gradients of the trainable parameters only. The training-mode forward makes libtorch update
   * the running statistics in place, so they are put back after: a probe leaves the model
   * exactly as it was.
   */
  @Override
  public WeightSet gradients(Batch batch, long step) {
    TorchThreads.use(threads);
    currentStep = step;
    try (NDManager scope = memory.begin(manager.newSubManager())) {
      List<float[]> saved = saveBuffers();
      try {
        forwardBackward(batch, scope);
      } finally {
        restoreBuffers(saved);
      }
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (ParamSpec p : trained) {
        NDArray g = params.get(p.name()).getGradient();
        g.attach(scope);
        out.put(p.name(), new Tensor(p.shape(), g.toFloatArray()));
        g.subi(g);
      }
      return new WeightSet(out);
    }
  }

  @Override
  public float[] trainingOutput(Batch batch, long step) {
    TorchThreads.use(threads);
    currentStep = step;
    List<float[]> saved = saveBuffers();
    try (NDManager scope = memory.begin(manager.newSubManager())) {
      NDArray x = input(batch);
      return block.forward(store, new NDList(x), true).singletonOrThrow().toFloatArray();
    } finally {
      restoreBuffers(saved);
    }
  }

  /** The running statistics' values, which a training-mode forward overwrites in place. */
  private List<float[]> saveBuffers() {
    List<float[]> saved = new ArrayList<>(buffers.size());
    for (NDArray b : buffers) {
      saved.add(b.toFloatArray());
    }
    return saved;
  }

  private void restoreBuffers(List<float[]> saved) {
    for (int i = 0; i < buffers.size(); i++) {
      overwrite(buffers.get(i), saved.get(i));
    }
  }

  /**
   * DJL's PyTorch engine lets one gradient collector record at a time in a JVM (a static flag in
   * {@code PtGradientCollector}; a second one throws). Models that train on several threads at
   * once, such as two sweep trials running as Spark tasks in one executor, take turns for the
   * forward and backward pass; libtorch's grad mode is per thread, so nothing else is shared.
   */
  private static final ReentrantLock RECORDING = new ReentrantLock();

  private float forwardBackward(Batch batch, NDManager scope) {
    NDArray x = input(batch);
    RECORDING.lock();
    try (GradientCollector collector = engine.newGradientCollector()) {
      NDArray out = block.forward(store, new NDList(x), true).singletonOrThrow();
      NDArray loss = parts.loss().loss(spec, out, batch, memory);
      for (Penalty p : penalties) {
        loss = in(scope, loss.add(p.of(memory)));
      }
      if (!optimizer.isEmpty()) {
        // With nothing to train (a spec of activations only) the loss has no graph to go back through.
        collector.backward(loss);
      }
      return loss.getFloat();
    } finally {
      RECORDING.unlock();
    }
  }

  /**
   * The spec's loss on the autograd tape: cross_entropy over every label's row of logits (one
   * per sample, or one per position of a {@code [T, C]} output), mean over the counted labels;
   * mse mean over every element.
   */
  static NDArray meanLoss(CheckedSpec spec, NDArray out, Batch batch, StepMemory memory) {
    return spec.loss().accept(new Loss.Visitor<NDArray>() {
      @Override
      public NDArray crossEntropy(Loss.CrossEntropy l) {
        if (l.labelSmoothing() != 0) {
          // -sum_k q_k log p_k with q the smoothed label distribution, as CrossEntropyLoss does.
          NDArray q = memory.floats(batch.targets(l, spec.outputSize()), out.getShape());
          return out.logSoftmax(-1).mul(q).sum(new int[] {-1}).mean().neg();
        }
        int[] labels = batch.labels();
        long classes = out.getShape().get(out.getShape().dimension() - 1);
        long[] y = new long[labels.length];
        float[] counted = l.ignoreIndex() == null ? null : new float[labels.length];
        int count = 0;
        for (int i = 0; i < y.length; i++) {
          boolean ignored = l.ignores(labels[i]);
          y[i] = ignored ? 0 : labels[i];
          if (counted != null && !ignored) {
            counted[i] = 1f;
            count++;
          }
        }
        NDArray picked =
            out.reshape(-1, classes).logSoftmax(-1).gather(memory.longs(y, new ai.djl.ndarray.types.Shape(y.length, 1)), 1);
        if (counted == null) {
          return picked.mean().neg();
        }
        // Ignored labels weigh 0; the sum is over the counted ones, divided by their count.
        NDArray kept = picked.reshape(-1).mul(memory.floats(counted, new ai.djl.ndarray.types.Shape(counted.length)));
        return kept.sum().div(memory.scalar(Math.max(1, count))).neg();
      }

      @Override
      public NDArray mse(Loss.Mse l) {
        NDArray t = memory.floats(batch.targets(spec.outputSize()), out.getShape());
        return out.sub(t).square().mean();
      }
    });
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    requireFloatInput();
    InferenceModel.requireSamples(spec.input(), inputs, n);
    return predictFloats(n, (shape, scope) -> inferenceInput.fill(inputs, shape, scope));
  }

  /** A direct buffer is read in place (no copy); see {@link InferenceModel#predict(ByteBuffer, int)}. */
  @Override
  public float[] predict(ByteBuffer inputs, int n) {
    requireFloatInput();
    InferenceModel.requireSamples(spec.input(), inputs, n);
    return predictFloats(n, (shape, scope) -> inferenceInput.fill(inputs, shape, scope));
  }

  private void requireFloatInput() {
    if (spec.takesTokens()) {
      throw new IllegalArgumentException("spec '" + spec.name() + "' reads int64 token ids: use predictTokens");
    }
  }

  /** A float call of {@code n} samples on the inference thread rule, its input made by {@code input}. */
  private float[] predictFloats(int n, java.util.function.BiFunction<ai.djl.ndarray.types.Shape, NDManager, NDArray> input) {
    TorchThreads.use(inferenceThreads.applyAsInt(n));
    try (NDManager scope = memory.begin(manager.newSubManager())) {
      return forward(input.apply(PytorchLowering.djlShape(spec.input().withBatch(n)), scope));
    }
  }

  /** The evaluation-mode forward pass of one input array, its output copied out. */
  private float[] forward(NDArray x) {
    return block.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
  }

  @Override
  public float[] predictTokens(int[] tokens, int n, int length) {
    long[] ids = TokenRange.checkedIds(spec, tokens, n, length, "input");
    TorchThreads.use(inferenceThreads.applyAsInt(n));
    try (NDManager scope = memory.begin(manager.newSubManager())) {
      return forward(memory.longs(ids, new ai.djl.ndarray.types.Shape(n, length)));
    }
  }

  /** Parameters and buffers, in the spec's order. */
  @Override
  public WeightSet weights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (ParamSpec p : paramSpecs) {
      out.put(p.name(), new Tensor(p.shape(), params.get(p.name()).toFloatArray()));
    }
    return new WeightSet(out);
  }

  /** A batch's inputs in the step's scope: its token ids (range-checked) or its features. */
  private NDArray input(Batch batch) {
    if (spec.takesTokens()) {
      long[] ids = TokenRange.checkedIds(spec, batch.tokens(), batch.size(), batch.length(), "batch");
      return memory.longs(ids, new ai.djl.ndarray.types.Shape(batch.size(), batch.length()));
    }
    return memory.floats(batch.features(), PytorchLowering.djlShape(spec.input().withBatch(batch.size())));
  }

  @Override
  public void close() {
    model.close();
  }

  /**
   * An L1/L2 penalty on one kernel, on the autograd tape: {@code l1 * sum|w| + l2 * sum w^2},
   * float32, each term only when its coefficient is set (the TensorFlow lowering builds the
   * same terms in the same order).
   */
  private record Penalty(NDArray w, float l1, float l2) {
    NDArray of(StepMemory memory) {
      NDManager scope = memory.scope();
      NDArray total = null;
      if (l1 != 0) {
        total = in(scope, in(scope, in(scope, w.abs()).sum()).mul(memory.scalar(l1)));
      }
      if (l2 != 0) {
        NDArray sq = in(scope, in(scope, in(scope, w.square()).sum()).mul(memory.scalar(l2)));
        total = total == null ? sq : in(scope, total.add(sq));
      }
      return total;
    }
  }

  private static NDArray in(NDManager scope, NDArray a) {
    a.attach(scope);
    return a;
  }
}
