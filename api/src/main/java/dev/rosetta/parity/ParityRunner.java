package dev.rosetta.parity;

import dev.rosetta.data.Batch;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Training;
import dev.rosetta.train.Backend;
import dev.rosetta.train.Evaluator;
import dev.rosetta.train.TrainableModel;
import dev.rosetta.train.TrainingDivergedException;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
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
  private final ModelSpec spec;
  private final Dataset train;
  private final Dataset test;
  private final Backend reference;
  private final Backend candidate;
  private int steps = 20;
  private int epochs;

  /**
   * @param train shaped to the spec input
   * @param test may be null: then the forward check uses the first training samples and there
   *     is no accuracy row
   * @param reference the backend relative figures are measured against
   */
  public ParityRunner(ModelSpec spec, Dataset train, Dataset test, Backend reference, Backend candidate) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.train = Objects.requireNonNull(train, "train");
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
   * Runs both backends.
   *
   * @throws TrainingDivergedException when either backend produces a non-finite loss
   */
  public ParityReport run() {
    WeightSet init = Initializer.initialize(spec);
    Training t = spec.training();
    try (TrainableModel a = reference.create(spec, init);
        TrainableModel b = candidate.create(spec, init)) {
      Dataset probe = test != null ? test : train;
      Batch first = probe.slice(0, Math.min(probe.size(), Evaluator.BATCH));
      double forward = maxAbs(a.predict(first.features(), first.size()), b.predict(first.features(), first.size()));

      int batches = BatchOrder.batchCount(train.size(), t.batchSize());
      int[] order1 = BatchOrder.forEpoch(train.size(), t.seed(), 1, t.shuffle());
      Batch step1 = train.batch(order1, 0, Math.min(train.size(), t.batchSize()));
      double grad = relL2(a.gradients(step1, 1), b.gradients(step1, 1));

      double lossMaxRel = 0;
      long lossMaxRelStep = 1;
      double weightsAfterN = Double.NaN;
      long weightsStep = 0;
      long step = 0;
      long total = (long) batches * epochs;
      for (int epoch = 1; epoch <= epochs; epoch++) {
        int[] order = epoch == 1 ? order1 : BatchOrder.forEpoch(train.size(), t.seed(), epoch, t.shuffle());
        for (int i = 0; i < batches; i++) {
          int from = i * t.batchSize();
          Batch batch = train.batch(order, from, Math.min(train.size(), from + t.batchSize()));
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
          if (rel > lossMaxRel) {
            lossMaxRel = rel;
            lossMaxRelStep = step;
          }
          if (step == Math.min(steps, total)) {
            weightsAfterN = relL2(a.weights(), b.weights());
            weightsStep = step;
          }
        }
      }
      double weightsEnd = relL2(a.weights(), b.weights());
      double accA = Double.NaN;
      double accB = Double.NaN;
      if (test != null && test.labels() != null) {
        accA = Evaluator.evaluate(a, spec, test).accuracy();
        accB = Evaluator.evaluate(b, spec, test).accuracy();
      }
      return new ParityReport(
          reference.name(), candidate.name(), epochs, step, forward, grad, lossMaxRel,
          lossMaxRelStep, weightsStep, weightsAfterN, weightsEnd, accA, accB);
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
