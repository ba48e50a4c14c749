package dev.rosetta.parity;

import dev.rosetta.data.Batch;
import dev.rosetta.data.Augmenter;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.EpochBatches;
import dev.rosetta.backend.Execution;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.spec.Training;
import dev.rosetta.backend.Backend;
import dev.rosetta.train.Evaluation;
import dev.rosetta.train.Evaluator;
import dev.rosetta.train.Figures;
import dev.rosetta.train.LearningRates;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingDivergedException;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains one spec on two backends in lockstep, from the same {@link Initializer} weights on the
 * same {@link BatchOrder} batches with the same dropout masks, and measures how far they drift
 * apart: the figures of the parity contract, as a {@link ParityReport}. Engine-neutral: any two
 * {@link Backend}s, including one backend against itself.
 *
 * <p>By default it also measures the reference's float32 {@link NoiseFloor}: two more copies of
 * the reference train in the same lockstep, one on another intra-op thread count (another
 * reduction order in every kernel), one whose weights move one ulp after every update; how far
 * each drifts from the reference over the trajectory rows is the scale below which no second
 * implementation can be expected to agree. That costs two more models' time and memory.
 *
 * <pre>{@code
 * ParityReport r = new ParityRunner(spec, train, test, pytorch, tensorflow).optSteps(20).run();
 * }</pre>
 */
public final class ParityRunner {
  private final CheckedSpec spec;
  private final Dataset train;
  private final Dataset test;
  private final Backend reference;
  private final Backend candidate;
  private int steps = 20;
  private int epochs;
  private boolean noiseFloor = true;
  private int floorThreads;
  private WeightSet initial;

  /**
   * @param train shaped to the spec input
   * @param test may be null: then the forward check uses the first training samples and there
   *     is no accuracy row
   * @param reference the backend relative figures (and the noise floor) are measured against
   */
  public ParityRunner(CheckedSpec spec, Dataset train, Dataset test, Backend reference, Backend candidate) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.train = Objects.requireNonNull(train, "train");
    dev.rosetta.train.TrainingLoop.requireBatchStatistics(spec, train.size());
    this.test = test;
    this.reference = Objects.requireNonNull(reference, "reference");
    this.candidate = Objects.requireNonNull(candidate, "candidate");
    this.epochs = spec.training().epochs();
  }

  /** The N of "weights after N steps" (default 20, as in the contract). */
  public ParityRunner optSteps(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("steps must be >= 1 (got " + n + ")");
    }
    this.steps = n;
    return this;
  }

  /** Epochs to train (default: the spec's). */
  public ParityRunner optEpochs(int e) {
    if (e < 1) {
      throw new IllegalArgumentException("epochs must be >= 1 (got " + e + ")");
    }
    this.epochs = e;
    return this;
  }

  /**
   * Start both backends from these weights instead of the spec's seeded initialisation:
   * parity of fine-tuning, e.g. of an imported model.
   *
   * @throws dev.rosetta.weights.WeightSet.WeightMismatchException when they do not fit the spec
   */
  public ParityRunner optInitialWeights(WeightSet weights) {
    this.initial = weights.requireMatches(spec, "initial weights");
    return this;
  }

  /**
   * Measure the noise floor (default on). Off, the report has none and its trajectory rows are
   * judged by their fixed bounds, as with {@link ParityReport#strictly()}.
   */
  public ParityRunner optNoiseFloor(boolean on) {
    this.noiseFloor = on;
    return this;
  }

  /**
   * Intra-op threads of the floor's thread copy (default 0: 2 when the reference runs on 1,
   * else 1).
   */
  public ParityRunner optFloorThreads(int threads) {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0 (got " + threads + ")");
    }
    this.floorThreads = threads;
    return this;
  }

  /**
   * The nudge of the floor's nudge copy after step {@code step}: every value of the tensors named
   * in {@code which} moves one ulp down, stays, or moves one ulp up, each with probability 1/3,
   * drawn from a stream keyed by {@code seed} and the step. That changes the rounding of every
   * weight at every step, as a second implementation does, without pushing the weights any way
   * (a sparser nudge, one ulp up or down in every 7th value, left the floor at 1e-6 on a run whose
   * TensorFlow trajectory drifted to 4e-2: it did not meet the chaos that was there).
   * Deterministic, so reports repeat.
   */
  public static WeightSet nudge(WeightSet w, java.util.Set<String> which, long seed, long step) {
    SplittableRandom r = new SplittableRandom(Initializer.streamSeed(seed, "noise-floor/" + step));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : w.tensors().entrySet()) {
      if (!which.contains(e.getKey())) {
        out.put(e.getKey(), e.getValue());
        continue;
      }
      float[] v = e.getValue().data().clone();
      for (int i = 0; i < v.length; i++) {
        int k = r.nextInt(3);
        if (k == 0) {
          v[i] = Math.nextDown(v[i]);
        } else if (k == 2) {
          v[i] = Math.nextUp(v[i]);
        }
      }
      out.put(e.getKey(), new Tensor(e.getValue().shape(), v));
    }
    return new WeightSet(out);
  }

  /** A reference copy measuring one kind of noise floor, and its running figures. */
  private static final class FloorCopy {
    final NoiseFloor.Kind kind;
    final TrainableModel model;
    double lossMaxRel;
    double weightsEnd = Double.NaN;

    FloorCopy(NoiseFloor.Kind kind, TrainableModel model) {
      this.kind = kind;
      this.model = model;
    }
  }

  /**
   * Runs both backends (and the reference's noise-floor copies, unless switched off).
   *
   * @throws TrainingDivergedException when any model produces a non-finite loss
   */
  public ParityReport run() {
    WeightSet init = initial != null ? initial : Initializer.initialize(spec);
    Training t = spec.training();
    // The nudge reaches what the optimizer updates: a frozen layer's weights never change.
    java.util.Set<String> trainable = new java.util.LinkedHashSet<>();
    spec.trainedParams().forEach(p -> trainable.add(p.name()));
    List<FloorCopy> floors = new ArrayList<>();
    try (TrainableModel a = reference.create(spec, init);
        TrainableModel b = candidate.create(spec, init)) {
      try {
        if (noiseFloor) {
          int threads = floorThreads > 0 ? floorThreads : a.intraOpThreads() == 1 ? 2 : 1;
          floors.add(new FloorCopy(NoiseFloor.Kind.THREADS, reference.create(spec, init, Execution.threads(threads))));
          floors.add(new FloorCopy(NoiseFloor.Kind.NUDGE, reference.create(spec, init)));
        }
        return run(a, b, floors, t, trainable);
      } finally {
        floors.forEach(f -> f.model.close());
      }
    }
  }

  private ParityReport run(TrainableModel a, TrainableModel b, List<FloorCopy> floors, Training t, java.util.Set<String> trainable) {
    Dataset probe = test != null ? test : train;
    Batch first = probe.slice(0, Math.min(probe.size(), Evaluator.BATCH));
    double forward = maxAbs(a.predict(first), b.predict(first));

    int[] order1 = BatchOrder.forEpoch(train.size(), t.seed(), 1, t.shuffle());
    Augmenter augmenter = Augmenter.of(t);
    Batch step1 = train.batch(order1, 0, Math.min(train.size(), t.batchSize()));
    if (augmenter != null) {
      step1 = augmenter.apply(step1, 1);
    }
    double grad = relL2(a.gradients(step1, 1), b.gradients(step1, 1));
    // Each model follows the schedule on its own figures (a plateau may be seen at different
    // epochs by models that drifted apart, as two separate runs would).
    List<TrainableModel> models = new ArrayList<>(List.of(a, b));
    floors.forEach(f -> models.add(f.model));
    List<LearningRates> rates = new ArrayList<>();
    for (int i = 0; i < models.size(); i++) {
      rates.add(new LearningRates(spec, train.size()));
    }
    String monitor = rates.get(0).monitor();

    double lossMaxRel = 0;
    long lossMaxRelStep = 1;
    double weightsAfterN = Double.NaN;
    Map<String, ParityReport.TensorDrift> byTensor = new LinkedHashMap<>();
    long weightsStep = 0;
    long step = 0;
    long total = (long) BatchOrder.batchCount(train.size(), t.batchSize()) * epochs;
    // The contract's trajectory rows cover the first epoch; later epochs only feed the
    // accuracy row ("test accuracy after full training").
    double weightsEpoch1 = Double.NaN;
    for (int epoch = 1; epoch <= epochs; epoch++) {
      int[] order = epoch == 1 ? order1 : BatchOrder.forEpoch(train.size(), t.seed(), epoch, t.shuffle());
      double[] lossSums = new double[models.size()];
      try (EpochBatches epochBatches = new EpochBatches(train, order, t.batchSize(), augmenter, step)) {
        while (epochBatches.hasNext()) {
          Batch batch = epochBatches.next();
          step++;
          if (t.schedule() != null) {
            for (int i = 0; i < models.size(); i++) {
              models.get(i).setLearningRate(rates.get(i).rate(epoch, step));
            }
          }
          float la = finite(a.trainStep(batch, step), epoch, step);
          float lb = finite(b.trainStep(batch, step), epoch, step);
          lossSums[0] += (double) la * batch.size();
          lossSums[1] += (double) lb * batch.size();
          double rel = relDiff(la, lb);
          if (epoch == 1 && rel > lossMaxRel) {
            lossMaxRel = rel;
            lossMaxRelStep = step;
          }
          for (FloorCopy f : floors) {
            // Same batch and step number, so the same dropout masks as a and b.
            float lf = finite(f.model.trainStep(batch, step), epoch, step);
            lossSums[models.indexOf(f.model)] += (double) lf * batch.size();
            if (f.kind == NoiseFloor.Kind.NUDGE) {
              f.model.setWeights(nudge(f.model.weights(), trainable, t.seed(), step));
            }
            if (epoch == 1) {
              f.lossMaxRel = Math.max(f.lossMaxRel, relDiff(la, lf));
            }
          }
          if (step == Math.min(steps, total)) {
            WeightSet wa = a.weights();
            WeightSet wb = b.weights();
            weightsAfterN = relL2(wa, wb);
            WeightSet wt = floors.stream().filter(f -> f.kind == NoiseFloor.Kind.THREADS).map(f -> f.model.weights()).findFirst().orElse(null);
            for (String name : wa.names()) {
              byTensor.put(name, new ParityReport.TensorDrift(tensorRelL2(wa, wb, name), wt == null ? Double.NaN : tensorRelL2(wa, wt, name)));
            }
            weightsStep = step;
          }
        }
      }
      if (monitor != null) {
        for (int i = 0; i < models.size(); i++) {
          Evaluation e = test == null ? null : Evaluator.evaluate(models.get(i), spec, test);
          rates.get(i).endEpoch(Figures.value(monitor, lossSums[i] / train.size(), null, e));
        }
      }
      if (epoch == 1) {
        WeightSet wa = a.weights();
        weightsEpoch1 = relL2(wa, b.weights());
        for (FloorCopy f : floors) {
          f.weightsEnd = relL2(wa, f.model.weights());
        }
      }
    }
    double accA = Double.NaN;
    double accB = Double.NaN;
    double lossA = Double.NaN;
    double lossB = Double.NaN;
    boolean labelled = test != null && test.labels() != null;
    // A token model's headline figure is its validation loss: it gets a row of its own.
    boolean testLoss = labelled && spec.takesTokens();
    if (labelled) {
      Evaluation ea = Evaluator.evaluate(a, spec, test);
      Evaluation eb = Evaluator.evaluate(b, spec, test);
      accA = ea.accuracy();
      accB = eb.accuracy();
      if (testLoss) {
        lossA = ea.loss();
        lossB = eb.loss();
      }
    }
    NoiseFloor floor = NoiseFloor.NONE;
    for (FloorCopy f : floors) {
      Evaluation ef = labelled ? Evaluator.evaluate(f.model, spec, test) : null;
      floor = floor.max(new NoiseFloor(
          new NoiseFloor.Row(f.lossMaxRel, f.kind), new NoiseFloor.Row(f.weightsEnd, f.kind),
          labelled ? new NoiseFloor.Row(Math.abs(accA - ef.accuracy()) * 100, f.kind) : NoiseFloor.Row.NONE,
          testLoss ? new NoiseFloor.Row(relDiff(lossA, ef.loss()), f.kind) : NoiseFloor.Row.NONE));
    }
    return new ParityReport(
        reference.name(), candidate.name(), epochs, step, forward, grad, lossMaxRel,
        lossMaxRelStep, weightsStep, weightsAfterN, weightsEpoch1, accA, accB, floor, false, ParityReport.K, byTensor,
        lossA, lossB);
  }

  private static float finite(float loss, int epoch, long step) {
    if (!Float.isFinite(loss)) {
      throw new TrainingDivergedException(epoch, step, loss);
    }
    return loss;
  }

  private static double tensorRelL2(WeightSet a, WeightSet b, String name) {
    return relL2(new WeightSet(Map.of(name, a.get(name))), new WeightSet(Map.of(name, b.get(name))));
  }

  /** Max abs difference of two equal-length arrays; infinite when the lengths differ. */
  public static double maxAbs(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      if (Double.isNaN(d)) {
        return Double.NaN;
      }
      m = Math.max(m, d);
    }
    return m;
  }

  /**
   * {@code ||a - b|| / ||a||} over every tensor of {@code a} concatenated, in double precision;
   * the absolute norm {@code ||a - b||} when {@code a} is all zeros.
   */
  public static double relL2(WeightSet a, WeightSet b) {
    if (!a.names().equals(b.names())) {
      throw new IllegalArgumentException("weight sets differ in names: " + a.names() + " vs " + b.names());
    }
    double diff = 0;
    double norm = 0;
    for (String name : a.names()) {
      Tensor ta = a.get(name);
      Tensor tb = b.get(name);
      if (!ta.shape().equals(tb.shape())) {
        throw new IllegalArgumentException(name + " has shape " + ta.shape() + " vs " + tb.shape());
      }
      float[] x = ta.data();
      float[] y = tb.data();
      for (int i = 0; i < x.length; i++) {
        double d = (double) x[i] - y[i];
        diff += d * d;
        norm += (double) x[i] * x[i];
      }
    }
    return norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
  }

  /** {@code |a - b| / max(|a|, |b|)}, 0 when both are 0. */
  public static double relDiff(double a, double b) {
    double scale = Math.max(Math.abs(a), Math.abs(b));
    return scale == 0 ? 0 : Math.abs(a - b) / scale;
  }
}
