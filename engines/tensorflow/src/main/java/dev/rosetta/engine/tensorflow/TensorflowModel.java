package dev.rosetta.engine.tensorflow;

import dev.rosetta.backend.OptimizerState;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.data.Batch;
import dev.rosetta.data.TokenRange;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.train.DropoutMasks;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * A spec lowered to one TensorFlow graph holding two forward passes over the same variables:
 * training (dropout masks fed in) and evaluation (dropout off). Gradients come from TF's
 * gradient registry; updates are {@link TensorflowOptimizer}'s ops. Every TF tensor a call
 * creates is closed before the call returns, so memory stays flat however long training runs.
 */
public final class TensorflowModel implements TrainableModel {
  private final CheckedSpec spec;
  private final Graph graph;
  private final Session session;
  /** Every parameter and buffer, in canonical order, with its variable. */
  private final List<ParamSpec> params;
  private final List<Variable<TFloat32>> vars;
  /** The trainable parameters only: what the optimizer updates and gradients() returns. */
  private final List<ParamSpec> trainableParams;
  /** Per batch_norm layer: values per channel in one sample (H * W, or 1). */
  private final Map<String, Long> perChannelValues;
  /** float32 features, or int64 token ids. */
  private final Placeholder<?> input;
  /** One row of targets per label ({@link #targetWidth} wide): one-hot labels, or float targets. */
  private final Placeholder<TFloat32> targets;
  private final int targetWidth;
  /** With cross_entropy's ignore_index: 1 for a counted label, 0 for an ignored one; else null. */
  private final Placeholder<TFloat32> labelWeights;
  /** With ignore_index: the number of counted labels in the batch (at least 1). */
  private final Placeholder<TFloat32> labelCount;
  private final Map<String, Placeholder<TFloat32>> masks;
  private final List<String> maskLayers;
  private final int[] maskSampleSizes;
  private final double[] maskRates;
  private final Operand<TFloat32> evalOutput;
  private final Operand<TFloat32> trainOutput;
  private final Operand<TFloat32> loss;
  private final List<Operand<TFloat32>> grads;
  private final Op trainOp;
  private final List<Op> updates;
  private final List<Placeholder<TFloat32>> weightValues = new ArrayList<>();
  private final List<Op> weightAssigns = new ArrayList<>();
  private final List<Op> optimizerResets;
  private final TensorflowOptimizer optimizer;
  /** The rate fed with every train step: the spec's until a schedule sets another. */
  private double learningRate;
  private final Map<String, Placeholder<TFloat32>> slotValues = new LinkedHashMap<>();
  private final List<Op> slotAssigns = new ArrayList<>();
  private Placeholder<TFloat64> stepValue;
  private Op stepAssign;
  private final org.tensorflow.ndarray.Shape[] weightShapes;
  private final int outputWidth;
  private final long seed;
  private final int threads;
  /** Per-op step times, when {@link TfOpProfile#PROPERTY} asks for them; else null. */
  private final TfOpProfile profile = TfOpProfile.ifRequested();

  TensorflowModel(CheckedSpec spec, WeightSet weights, int threads, TensorflowParts parts) {
    this.spec = spec;
    this.threads = threads;
    this.seed = spec.training().seed();
    this.params = spec.params();
    this.outputWidth = spec.outputSize();
    this.graph = new Graph();
    Session opened = null;
    try {
      Ops tf = Ops.create(graph);
      Map<String, Variable<TFloat32>> varMap = TensorflowLowering.variables(tf, spec);
      this.vars = new ArrayList<>(varMap.values());
      // Buffers (batch_norm's running statistics) are variables, so weights(), setWeights()
      // and checkpoints carry them, but they get no gradient and no optimizer update.
      this.trainableParams = spec.trainedParams();
      List<Variable<TFloat32>> trainableVars = new ArrayList<>();
      trainableParams.forEach(p -> trainableVars.add(varMap.get(p.name())));
      this.perChannelValues = perChannelValues(spec);
      this.input = TensorflowLowering.input(tf.withName("input"), spec);
      this.masks = TensorflowLowering.maskPlaceholders(tf, spec);
      this.maskLayers = new ArrayList<>(masks.keySet());
      this.maskSampleSizes = new int[maskLayers.size()];
      this.maskRates = new double[maskLayers.size()];
      for (int i = 0; i < maskLayers.size(); i++) {
        long[] d = masks.get(maskLayers.get(i)).shape().asArray();
        long n = 1;
        for (int k = 1; k < d.length; k++) {
          n *= d[k];
        }
        maskSampleSizes[i] = (int) n;
        maskRates[i] = rate(spec, maskLayers.get(i));
      }
      this.targetWidth = targetWidth(spec);
      boolean ignoring = spec.loss() instanceof Loss.CrossEntropy ce && ce.ignoreIndex() != null;
      this.labelWeights = ignoring ? tf.withName("label_weights").placeholder(TFloat32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1))) : null;
      this.labelCount = ignoring ? tf.withName("label_count").placeholder(TFloat32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.scalar())) : null;
      TensorflowLowering.TrainPass trainPass = new TensorflowLowering.TrainPass(masks);
      Operand<TFloat32> trainOut =
          TensorflowLowering.forward(tf.withSubScope("train"), spec, input, varMap, trainPass);
      this.trainOutput = trainOut;
      this.evalOutput =
          tf.withName("output").identity(
              TensorflowLowering.forward(tf.withSubScope("eval"), spec, input, varMap, null));
      this.targets =
          tf.withName("targets").placeholder(TFloat32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, targetWidth)));
      this.loss = withPenalties(tf.withSubScope("penalties"), loss(tf.withSubScope("loss"), trainOut), varMap);
      this.grads = new ArrayList<>();
      // TF rejects a gradient request for no variables; a parameter-free model has none.
      for (Operand<?> g :
          trainableVars.isEmpty()
              ? List.<Operand<?>>of()
              : tf.withSubScope("gradients").gradients(loss, trainableVars)) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> gf = (Operand<TFloat32>) g;
        grads.add(gf);
      }
      List<Operation> computed = new ArrayList<>();
      computed.add(loss.op());
      grads.forEach(g -> computed.add(g.op()));
      Ops after = tf.withControlDependencyOps(computed);
      List<String> trainableNames = trainableParams.stream().map(ParamSpec::name).toList();
      double[] multipliers = spec.lrMultipliers();
      List<Operand<TFloat32>> applied = TfGradientClip.apply(after.withSubScope("clip"), grads, spec.training());
      TensorflowOptimizer opt =
          parts.optimizer().create(spec.optimizer(), after, tf, trainableNames, trainableVars, applied, multipliers);
      this.optimizer = opt;
      this.updates = new ArrayList<>(opt.updates());
      // Running statistics are written like parameters: after every gradient, in the train
      // step only (gradients() does not run them), from this step's batch statistics.
      updates.addAll(
          TfBatchNorm.runningStatUpdates(after.withSubScope("running_stats"), trainPass.batchStats, varMap));
      TfUpdateOrder.requireWritesAfter(updates, computed);
      this.trainOp = tf.withName("train_step").withControlDependencies(updates).noOp();
      this.optimizerResets = opt.resets();
      this.weightShapes = new org.tensorflow.ndarray.Shape[vars.size()];
      for (int i = 0; i < vars.size(); i++) {
        Variable<TFloat32> v = vars.get(i);
        weightShapes[i] = v.shape();
        Placeholder<TFloat32> value =
            tf.withSubScope(params.get(i).name()).withName("value").placeholder(TFloat32.class, Placeholder.shape(v.shape()));
        weightValues.add(value);
        weightAssigns.add(tf.assign(v, value));
      }
      for (Map.Entry<String, Variable<TFloat32>> e : opt.slots().entrySet()) {
        Placeholder<TFloat32> value = tf.withSubScope("optimizer_state").placeholder(TFloat32.class,
            Placeholder.shape(e.getValue().shape()));
        slotValues.put(e.getKey(), value);
        slotAssigns.add(tf.assign(e.getValue(), value));
      }
      this.stepValue = tf.withSubScope("optimizer_state").placeholder(TFloat64.class,
          Placeholder.shape(org.tensorflow.ndarray.Shape.scalar()));
      this.stepAssign = tf.assign(opt.step(), stepValue);
      this.learningRate = spec.optimizer().learningRate();
      opened = new Session(graph, TfTensors.sessionConfig(threads));
      this.session = opened;
      setWeights(weights);
      Session.Runner r = session.runner();
      optimizerResets.forEach(r::addTarget);
      r.run().close();
    } catch (RuntimeException | Error e) {
      // A graph cannot close while a session on it is open: Graph.close would wait forever.
      if (opened != null) {
        opened.close();
      }
      graph.close();
      throw e;
    }
  }

  /**
   * The data loss plus each layer's L1/L2 penalty on its kernel, {@code l1 * sum|w| + l2 * sum
   * w^2} in float32, added in layer order as the PyTorch backend adds them.
   */
  private Operand<TFloat32> withPenalties(Ops tf, Operand<TFloat32> dataLoss, Map<String, Variable<TFloat32>> vars) {
    Operand<TFloat32> total = dataLoss;
    for (CheckedSpec.Penalty p : spec.penalties()) {
      // Read through an identity: built on the variable itself, the C++ gradient of this sum
      // crashed TF inside AddGradients (Node::output_type); through an identity it is sound.
      Operand<TFloat32> w = tf.identity(vars.get(p.param()));
      Operand<org.tensorflow.types.TInt32> all = TfOps.allAxes(tf, w);
      Operand<TFloat32> term = null;
      if (p.l1() != 0) {
        term = tf.math.mul(tf.sum(tf.math.abs(w), all), tf.constant((float) p.l1()));
      }
      if (p.l2() != 0) {
        Operand<TFloat32> sq = tf.math.mul(tf.sum(tf.math.square(w), all), tf.constant((float) p.l2()));
        term = term == null ? sq : tf.math.add(term, sq);
      }
      total = tf.math.add(total, term);
    }
    return total;
  }

  /**
   * The spec's loss as graph ops on the training output, one row per label: cross_entropy over
   * {@code [labels, classes]} (one per sample, or one per position of a {@code [T, C]} output),
   * mean over the counted labels; mse mean over every element.
   */
  private Operand<TFloat32> loss(Ops tf, Operand<TFloat32> out) {
    Operand<TFloat32> flat = tf.reshape(out, tf.constant(new long[] {-1, targetWidth}));
    return spec.loss().accept(new Loss.Visitor<Operand<TFloat32>>() {
      @Override
      public Operand<TFloat32> crossEntropy(Loss.CrossEntropy l) {
        // The sparse op has no gradient in TF's C++ registry; the dense one on one-hot labels does.
        Operand<TFloat32> perLabel = tf.nn.softmaxCrossEntropyWithLogits(flat, targets).loss();
        if (labelWeights == null) {
          return tf.withName("value").math.mean(perLabel, tf.constant(0));
        }
        // Ignored labels weigh 0 (their one-hot row is all zeros too); sum, then divide by the count.
        Operand<TFloat32> kept = tf.math.mul(perLabel, labelWeights);
        return tf.withName("value").math.div(tf.sum(kept, tf.constant(0)), labelCount);
      }

      @Override
      public Operand<TFloat32> mse(Loss.Mse l) {
        return tf.withName("value").math.mean(tf.math.square(tf.math.sub(flat, targets)), tf.constant(new int[] {0, 1}));
      }
    });
  }

  /** The width of a target row: the classes of one label for cross_entropy, the whole output for mse. */
  private static int targetWidth(CheckedSpec spec) {
    return spec.loss().accept(new Loss.Visitor<Integer>() {
      @Override
      public Integer crossEntropy(Loss.CrossEntropy l) {
        return spec.output().dim(-1);
      }

      @Override
      public Integer mse(Loss.Mse l) {
        return spec.outputSize();
      }
    });
  }

  @Override
  public void setWeights(WeightSet weights) {
    weights.requireMatches(spec, "weights");
    if (vars.isEmpty()) {
      return;
    }
    List<TFloat32> fed = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (int i = 0; i < vars.size(); i++) {
        TFloat32 t = TfTensors.tensor(weights.get(params.get(i).name()).data(), weightShapes[i]);
        fed.add(t);
        r.feed(weightValues.get(i), t).addTarget(weightAssigns.get(i));
      }
      r.run().close();
    } finally {
      fed.forEach(org.tensorflow.Tensor::close);
    }
  }

  @Override
  public CheckedSpec spec() {
    return spec;
  }

  @Override
  public String backend() {
    return TensorflowBackend.NAME;
  }

  @Override
  public int intraOpThreads() {
    return threads;
  }

  /** Values per channel in one sample of each batch_norm layer's input. */
  private static Map<String, Long> perChannelValues(CheckedSpec spec) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (LayerShape ls : spec.shapes()) {
      if (ls.layer() instanceof Layer.BatchNorm && !ls.options().batchNormInInferenceMode()) {
        out.put(ls.layer().name(), ls.input().size() / ls.input().dim(0));
      }
    }
    return out;
  }

  /**
   * PyTorch refuses to train batch norm on one value per channel (the unbiased variance would
   * divide by zero); so does this backend, in PyTorch's words.
   */
  private void requireSeveralValuesPerChannel(Batch batch) {
    for (Map.Entry<String, Long> e : perChannelValues.entrySet()) {
      if (batch.size() * e.getValue() < 2) {
        throw new IllegalArgumentException(
            "batch_norm layer '" + e.getKey() + "': expected more than 1 value per channel when training, got "
                + batch.size() * e.getValue());
      }
    }
  }

  @Override
  public float trainStep(Batch batch, long step) {
    requireSeveralValuesPerChannel(batch);
    List<org.tensorflow.Tensor> fed = new ArrayList<>(4 + maskLayers.size());
    try (TFloat64 lr = TFloat64.scalarOf(learningRate)) {
      Session.Runner r = feedBatch(session.runner(), batch, step, fed);
      r.feed(optimizer.learningRate(), lr).addTarget(trainOp).fetch(loss);
      if (profile != null && profile.traces(step)) {
        try (Result res = r.setOptions(TfOpProfile.FULL_TRACE).runAndFetchMetadata()) {
          profile.add(res.getMetadata().orElseThrow());
          return ((TFloat32) res.get(0)).getFloat();
        }
      }
      try (Result res = r.run()) {
        return ((TFloat32) res.get(0)).getFloat();
      }
    } finally {
      fed.forEach(org.tensorflow.Tensor::close);
    }
  }

  @Override
  public void setLearningRate(double lr) {
    this.learningRate = lr;
  }

  @Override
  public OptimizerState optimizerState() {
    Session.Runner r = session.runner().fetch(optimizer.step());
    optimizer.slots().values().forEach(r::fetch);
    try (Result res = r.run()) {
      long steps = (long) ((TFloat64) res.get(0)).getDouble();
      Map<String, float[]> tensors = new LinkedHashMap<>();
      int i = 1;
      for (String name : optimizer.slots().keySet()) {
        tensors.put(name, TfTensors.read((TFloat32) res.get(i++)));
      }
      return new OptimizerState(steps, tensors);
    }
  }

  @Override
  public void loadOptimizerState(OptimizerState state) {
    OptimizerState.requireFits(state, optimizerState());
    List<TFloat32> fed = new ArrayList<>();
    try (TFloat64 steps = TFloat64.scalarOf(state.step())) {
      Session.Runner r = session.runner().feed(stepValue, steps).addTarget(stepAssign);
      int i = 0;
      for (Map.Entry<String, Variable<TFloat32>> e : optimizer.slots().entrySet()) {
        TFloat32 t = TfTensors.tensor(state.tensors().get(e.getKey()), e.getValue().shape());
        fed.add(t);
        r.feed(slotValues.get(e.getKey()), t).addTarget(slotAssigns.get(i++));
      }
      r.run().close();
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  @Override
  public WeightSet gradients(Batch batch, long step) {
    if (grads.isEmpty()) {
      return new WeightSet(Map.of());
    }
    requireSeveralValuesPerChannel(batch);
    List<org.tensorflow.Tensor> fed = new ArrayList<>(4 + maskLayers.size());
    try {
      Session.Runner r = feedBatch(session.runner(), batch, step, fed);
      grads.forEach(r::fetch);
      try (Result res = r.run()) {
        return canonical(res, trainableParams);
      }
    } finally {
      fed.forEach(org.tensorflow.Tensor::close);
    }
  }

  private Session.Runner feedBatch(Session.Runner r, Batch batch, long step, List<org.tensorflow.Tensor> fed) {
    int n = batch.size();
    org.tensorflow.Tensor x = inputTensor(batch);
    fed.add(x);
    float[] rows = batch.targets(spec.loss(), outputWidth);
    TFloat32 t = TfTensors.tensor(rows, org.tensorflow.ndarray.Shape.of(rows.length / targetWidth, targetWidth));
    fed.add(t);
    r.feed(input, x).feed(targets, t);
    if (labelWeights != null) {
      Loss.CrossEntropy ce = (Loss.CrossEntropy) spec.loss();
      float[] w = new float[batch.labels().length];
      int count = 0;
      for (int i = 0; i < w.length; i++) {
        if (!ce.ignores(batch.labels()[i])) {
          w[i] = 1f;
          count++;
        }
      }
      TFloat32 wt = TfTensors.tensor(w, org.tensorflow.ndarray.Shape.of(w.length));
      TFloat32 ct = TFloat32.scalarOf(Math.max(1, count));
      fed.add(wt);
      fed.add(ct);
      r.feed(labelWeights, wt).feed(labelCount, ct);
    }
    for (int i = 0; i < maskLayers.size(); i++) {
      String layer = maskLayers.get(i);
      Placeholder<TFloat32> p = masks.get(layer);
      float[] m = DropoutMasks.mask(seed, step, layer, n * maskSampleSizes[i], maskRates[i]);
      long[] d = p.shape().asArray();
      d[0] = n;
      TFloat32 mt = TfTensors.tensor(m, org.tensorflow.ndarray.Shape.of(d));
      fed.add(mt);
      r.feed(p, mt);
    }
    return r;
  }

  private static double rate(CheckedSpec spec, String layer) {
    for (var l : spec.layers()) {
      if (l.name().equals(layer)) {
        return l.dropoutRate();
      }
    }
    throw new IllegalStateException("no layer " + layer);
  }

  /** A batch's inputs as a tensor: int64 token ids (range-checked) or float32 features. */
  private org.tensorflow.Tensor inputTensor(Batch batch) {
    if (spec.takesTokens()) {
      return TfTensors.tokens(
          TokenRange.checkedIds(spec, batch.tokens(), batch.size(), batch.length(), "batch"), batch.size(), batch.length());
    }
    return TfTensors.tensor(batch.features(), TfTensors.shapeOf(batch.size(), batch.sampleShape().dimsLong()));
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    if (spec.takesTokens()) {
      throw new IllegalArgumentException("spec '" + spec.name() + "' reads int64 token ids: use predictTokens");
    }
    try (TFloat32 x = TfTensors.tensor(inputs, TfTensors.shapeOf(n, spec.input().dimsLong()));
        Result res = session.runner().feed(input, x).fetch(evalOutput).run()) {
      return TfTensors.read((TFloat32) res.get(0));
    }
  }

  @Override
  public float[] predictTokens(int[] tokens, int n, int length) {
    try (org.tensorflow.Tensor x = TfTensors.tokens(TokenRange.checkedIds(spec, tokens, n, length, "input"), n, length);
        Result res = session.runner().feed(input, x).fetch(evalOutput).run()) {
      return TfTensors.read((TFloat32) res.get(0));
    }
  }

  @Override
  public WeightSet weights() {
    if (vars.isEmpty()) {
      return new WeightSet(Map.of());
    }
    Session.Runner r = session.runner();
    vars.forEach(r::fetch);
    try (Result res = r.run()) {
      return canonical(res, params);
    }
  }

  @Override
  public float[] trainingOutput(Batch batch, long step) {
    List<org.tensorflow.Tensor> fed = new ArrayList<>(4 + maskLayers.size());
    try (Result res = feedBatch(session.runner(), batch, step, fed).fetch(trainOutput).run()) {
      return TfTensors.read((TFloat32) res.get(0));
    } finally {
      fed.forEach(org.tensorflow.Tensor::close);
    }
  }

  /**
   * The ops that write a parameter, a running statistic or optimizer state in a step, for
   * structural checks.
   */
  List<Op> updateOps() {
    return updates;
  }

  /** The whole graph, for structural checks. */
  Graph graph() {
    return graph;
  }

  /** The ops whose outputs are the gradients and the loss, for structural checks. */
  List<Operation> computedOps() {
    List<Operation> ops = new ArrayList<>();
    ops.add(loss.op());
    grads.forEach(g -> ops.add(g.op()));
    return ops;
  }

  /** The fetched values, in the order of {@code fetched}, as canonical tensors. */
  private static WeightSet canonical(Result res, List<ParamSpec> fetched) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (int i = 0; i < fetched.size(); i++) {
      ParamSpec p = fetched.get(i);
      out.put(p.name(), new Tensor(p.shape(), TfTensors.read((TFloat32) res.get(i))));
    }
    return new WeightSet(out);
  }

  @Override
  public void close() {
    if (profile != null) {
      System.err.print(profile.report());
    }
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
