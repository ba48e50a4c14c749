package dev.rosetta.train;

import dev.rosetta.backend.InferenceModel;
import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;

/**
 * Engine-neutral evaluation: runs any {@link InferenceModel} over a dataset and computes the
 * spec's loss (in double precision, in Java) and accuracy from its outputs.
 */
public final class Evaluator {
  private Evaluator() {}

  public static final int BATCH = 500;

  public static Evaluation evaluate(InferenceModel model, CheckedSpec spec, Dataset data) {
    int width = spec.outputSize();
    double lossSum = 0;
    long hits = 0;
    int n = data.size();
    for (int from = 0; from < n; from += BATCH) {
      int to = Math.min(n, from + BATCH);
      Batch b = data.slice(from, to);
      float[] out = model.predict(b.features(), b.size());
      lossSum += lossSum(spec.loss(), out, b, width);
      if (b.labels() != null) {
        hits += hits(out, b.labels(), width);
      }
    }
    double loss = lossSum / spec.loss().accept(new Loss.Visitor<Double>() {
      @Override
      public Double crossEntropy(Loss.CrossEntropy l) {
        return (double) n;
      }

      @Override
      public Double mse(Loss.Mse l) {
        return (double) n * width; // mean over every element
      }
    });
    return new Evaluation(loss, data.labels() == null ? Double.NaN : (double) hits / n, n);
  }

  /** Sum over samples of the per-sample loss (per element for MSE), in double precision. */
  static double lossSum(Loss loss, float[] out, Batch b, int width) {
    return loss.accept(new Loss.Visitor<Double>() {
      @Override
      public Double crossEntropy(Loss.CrossEntropy l) {
        double sum = 0;
        for (int i = 0; i < b.size(); i++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < width; k++) {
            max = Math.max(max, out[i * width + k]);
          }
          double s = 0;
          for (int k = 0; k < width; k++) {
            s += Math.exp(out[i * width + k] - max);
          }
          sum += max + Math.log(s) - out[i * width + b.labels()[i]];
        }
        return sum;
      }

      @Override
      public Double mse(Loss.Mse l) {
        double sum = 0;
        float[] t = b.targets(width);
        for (int i = 0; i < b.size() * width; i++) {
          double d = out[i] - t[i];
          sum += d * d;
        }
        return sum;
      }
    });
  }

  /** Argmax hits; ties go to the lowest index, as in every framework's argmax. */
  public static long hits(float[] out, int[] labels, int width) {
    long hits = 0;
    for (int i = 0; i < labels.length; i++) {
      if (argmax(out, i * width, width) == labels[i]) {
        hits++;
      }
    }
    return hits;
  }

  public static int argmax(float[] v, int offset, int width) {
    int best = 0;
    for (int k = 1; k < width; k++) {
      if (v[offset + k] > v[offset + best]) {
        best = k;
      }
    }
    return best;
  }
}
