package dev.rosetta.parity;

import dev.rosetta.data.Batch;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.EpochBatches;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Training;
import dev.rosetta.backend.Backend;
import dev.rosetta.train.Evaluator;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingDivergedException;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Trains one spec on two backends in lockstep, from the same {@link Initializer} weights on the
 * same {@link BatchOrder} batches with the same dropout masks, and measures how far they drift
 * apart: the figures of the parity contract, as a {@link ParityReport}. Engine-neutral: any two
 * {@link Backend}s, including one backend against itself.
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
  private boolean noiseFloor;

  /**
   * @param train shaped to the spec input
   * @param test may be null: then the forward check uses the first training samples and there
   *     is no accuracy row
   * @param reference the backend relative figures are measured against
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
   * Also measure the float32 noise floor (default off): a third model, the reference backend
   * started from {@link #nudge nudged} initial weights, trains in lockstep on the same batches
   * and dropout steps, and the trajectory rows are measured for it against the reference (see
   * {@link ParityReport.NoiseFloor}). ReLU training in float32 amplifies rounding differences
   * chaotically; this tells how far one backend drifts from itself from a one-ulp start, the
   * scale below which no second implementation can be expected to agree. Costs a third model's
   * memory and time.
   */
  public ParityRunner optNoiseFloor(boolean on) {
    this.noiseFloor = on;
    return this;
  }

  /**
   * The noise-floor start: a copy of {@code w} where value 0, 7, 14, ... of every tensor (flat,
   * canonical layout) is replaced by {@link Math#nextUp(float)}, the next float toward +infinity
   * (one ulp up; a zero becomes the smallest subnormal). Deterministic, so reports repeat.
   */
  public static WeightSet nudge(WeightSet w) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : w.tensors().entrySet()) {
      float[] v = e.getValue().data().clone();
      for (int i = 0; i < v.length; i += 7) {
        v[i] = Math.nextUp(v[i]);
      }
      out.put(e.getKey(), new Tensor(e.getValue().shape(), v));
    }
    return new WeightSet(out);
  }

  /**
   * Runs both backends (and the nudged reference with {@link #optNoiseFloor}).
   *
   * @throws TrainingDivergedException when any model produces a non-finite loss
   */
  public ParityReport run() {
    WeightSet init = Initializer.initialize(spec);
    Training t = spec.training();
    // n, the nudged reference, is null without the noise floor (try-with-resources skips nulls).
    try (TrainableModel a = reference.create(spec, init);
        TrainableModel b = candidate.create(spec, init);
        TrainableModel n = noiseFloor ? reference.create(spec, nudge(init)) : null) {
      Dataset probe = test != null ? test : train;
      Batch first = probe.slice(0, Math.min(probe.size(), Evaluator.BATCH));
      double forward = maxAbs(a.predict(first.features(), first.size()), b.predict(first.features(), first.size()));

      int batches = BatchOrder.batchCount(train.size(), t.batchSize());
      int[] order1 = BatchOrder.forEpoch(train.size(), t.seed(), 1, t.shuffle());
      Batch step1 = train.batch(order1, 0, Math.min(train.size(), t.batchSize()));
      double grad = relL2(a.gradients(step1, 1), b.gradients(step1, 1));

      double lossMaxRel = 0;
      long lossMaxRelStep = 1;
      double floorLossMaxRel = 0;
      double floorWeightsAfterN = Double.NaN;
      double weightsAfterN = Double.NaN;
      long weightsStep = 0;
      long step = 0;
      long total = (long) batches * epochs;
      // The contract's trajectory rows cover the first epoch; later epochs only feed the
      // accuracy row ("test accuracy after full training").
      double weightsEpoch1 = Double.NaN;
      double floorWeightsEpoch1 = Double.NaN;
      for (int epoch = 1; epoch <= epochs; epoch++) {
        int[] order = epoch == 1 ? order1 : BatchOrder.forEpoch(train.size(), t.seed(), epoch, t.shuffle());
        try (EpochBatches epochBatches = new EpochBatches(train, order, t.batchSize())) {
          while (epochBatches.hasNext()) {
            Batch batch = epochBatches.next();
            step++;
            float la = a.trainStep(batch, step);
            float lb = b.trainStep(batch, step);
            if (!Float.isFinite(la)) {
              throw new TrainingDivergedException(epoch, step, la);
            }
            if (!Float.isFinite(lb)) {
              throw new TrainingDivergedException(epoch, step, lb);
            }
            double rel = relDiff(la, lb);
            if (epoch == 1 && rel > lossMaxRel) {
              lossMaxRel = rel;
              lossMaxRelStep = step;
            }
            if (n != null) {
              // Same batch and step number, so the same dropout masks as a and b.
              float ln = n.trainStep(batch, step);
              if (!Float.isFinite(ln)) {
                throw new TrainingDivergedException(epoch, step, ln);
              }
              if (epoch == 1) {
                floorLossMaxRel = Math.max(floorLossMaxRel, relDiff(la, ln));
              }
            }
            if (step == Math.min(steps, total)) {
              WeightSet wa = a.weights();
              weightsAfterN = relL2(wa, b.weights());
              if (n != null) {
                floorWeightsAfterN = relL2(wa, n.weights());
              }
              weightsStep = step;
            }
          }
        }
        if (epoch == 1) {
          WeightSet wa = a.weights();
          weightsEpoch1 = relL2(wa, b.weights());
          if (n != null) {
            floorWeightsEpoch1 = relL2(wa, n.weights());
          }
        }
      }
      double accA = Double.NaN;
      double accB = Double.NaN;
      boolean labelled = test != null && test.labels() != null;
      if (labelled) {
        accA = Evaluator.evaluate(a, spec, test).accuracy();
        accB = Evaluator.evaluate(b, spec, test).accuracy();
      }
      ParityReport.NoiseFloor floor = ParityReport.NoiseFloor.NONE;
      if (n != null) {
        double accPoints = labelled ? Math.abs(accA - Evaluator.evaluate(n, spec, test).accuracy()) * 100 : Double.NaN;
        floor = new ParityReport.NoiseFloor(floorWeightsAfterN, floorLossMaxRel, floorWeightsEpoch1, accPoints);
      }
      return new ParityReport(
          reference.name(), candidate.name(), epochs, step, forward, grad, lossMaxRel,
          lossMaxRelStep, weightsStep, weightsAfterN, weightsEpoch1, accA, accB, floor);
    }
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
