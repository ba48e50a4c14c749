package dev.rosetta.train;

import dev.rosetta.backend.InferenceModel;
import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.metrics.ClassificationMetrics;
import dev.rosetta.metrics.RegressionMetrics;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import java.util.List;

/**
 * Engine-neutral evaluation: runs any {@link InferenceModel} over a dataset and computes the
 * spec's loss (in double precision, in Java) and accuracy from its outputs. A label is one per
 * sample, or one per position of a sequence model's {@code [T, C]} output; both are means over
 * every counted label (cross_entropy's {@code ignore_index} counts in neither).
 */
public final class Evaluator {
  private Evaluator() {}

  public static final int BATCH = 500;

  /** Evaluates with class names {@code 0..k-1}. */
  public static Evaluation evaluate(InferenceModel model, CheckedSpec spec, Dataset data) {
    return evaluate(model, spec, data, null);
  }

  /**
   * Runs {@code model} over {@code data} in batches of {@value #BATCH} and scores its outputs.
   *
   * @param classes the class names for the metrics, or null for {@code 0..k-1}
   */
  public static Evaluation evaluate(InferenceModel model, CheckedSpec spec, Dataset data, List<String> classes) {
    int width = spec.outputSize();
    int n = data.size();
    float[] out = new float[n * width];
    for (int from = 0; from < n; from += BATCH) {
      int to = Math.min(n, from + BATCH);
      Batch b = data.slice(from, to);
      System.arraycopy(model.predict(b), 0, out, from * width, b.size() * width);
    }
    return score(spec, out, data, classes);
  }

  /**
   * Loss, accuracy and metrics of outputs already computed (by any runtime, e.g. an ONNX file
   * fed raw table rows) for the samples of {@code data}.
   *
   * @param outputs {@code data.size() * spec.outputSize()} values, row-major
   * @param classes the class names, or null for {@code 0..k-1}
   */
  public static Evaluation score(CheckedSpec spec, float[] outputs, Dataset data, List<String> classes) {
    int width = spec.outputSize();
    int n = data.size();
    Loss loss = spec.loss();
    double lossSum = 0;
    long counted = 0;
    long hits = 0;
    for (int from = 0; from < n; from += BATCH) {
      int to = Math.min(n, from + BATCH);
      Batch b = data.slice(from, to);
      float[] out = java.util.Arrays.copyOfRange(outputs, from * width, to * width);
      lossSum += lossSum(loss, out, b, width);
      if (b.labels() != null) {
        int perLabel = width / b.labelsPerSample();
        for (int r = 0; r < b.labels().length; r++) {
          if (counts(loss, b.labels()[r])) {
            counted++;
            if (argmax(out, r * perLabel, perLabel) == b.labels()[r]) {
              hits++;
            }
          }
        }
      }
    }
    long labels = counted;
    double mean = lossSum / loss.accept(new Loss.Visitor<Double>() {
      @Override
      public Double crossEntropy(Loss.CrossEntropy l) {
        return (double) Math.max(1, labels);
      }

      @Override
      public Double mse(Loss.Mse l) {
        return (double) n * width; // mean over every element
      }
    });
    ClassificationMetrics cls = null;
    // Per-class figures for one label per sample; a sequence model's tokens get accuracy only.
    if (data.labels() != null && data.labelsPerSample() == 1 && counted == n) {
      int[] predicted = new int[n];
      double[] positive = width == 2 ? new double[n] : null;
      for (int i = 0; i < n; i++) {
        predicted[i] = argmax(outputs, i * width, width);
        if (positive != null) {
          // The softmax probability of class 1 is monotone in z1 - z0; ranks are all ROC AUC needs.
          positive[i] = (double) outputs[i * width + 1] - outputs[i * width];
        }
      }
      cls = ClassificationMetrics.of(data.labels(), predicted, positive,
          classes != null ? classes : ClassificationMetrics.indexNames(width));
    }
    RegressionMetrics reg = !spec.loss().classifies()
        ? RegressionMetrics.of(outputs, targets(data, width), width)
        : null;
    double accuracy = cls != null ? cls.accuracy() : data.labels() == null ? Double.NaN : (double) hits / Math.max(1, counted);
    return new Evaluation(mean, accuracy, n, cls, reg);
  }

  /** Every sample's target: the given targets, else the one-hot label. */
  private static float[] targets(Dataset data, int width) {
    return data.slice(0, data.size()).targets(width);
  }

  /** Whether a label counts in the loss and the accuracy: all do, but cross_entropy's ignore_index. */
  static boolean counts(Loss loss, int label) {
    return !(loss instanceof Loss.CrossEntropy ce && ce.ignores(label));
  }

  /**
   * Sum of the per-label loss over the batch (per element for MSE), in double precision:
   * cross_entropy over each label's row of {@code width / labelsPerSample} logits.
   */
  static double lossSum(Loss loss, float[] out, Batch b, int width) {
    return loss.accept(new Loss.Visitor<Double>() {
      @Override
      public Double crossEntropy(Loss.CrossEntropy l) {
        int classes = width / b.labelsPerSample();
        double sum = 0;
        float[] q = new float[classes];
        for (int r = 0; r < b.labels().length; r++) {
          if (l.ignores(b.labels()[r])) {
            continue;
          }
          int off = r * classes;
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < classes; k++) {
            max = Math.max(max, out[off + k]);
          }
          double s = 0;
          for (int k = 0; k < classes; k++) {
            s += Math.exp(out[off + k] - max);
          }
          // sum_k q_k (lse - z_k) = lse - sum_k q_k z_k, with q the (smoothed) label distribution
          l.targets(b.labels()[r], q, 0, classes);
          double dot = 0;
          for (int k = 0; k < classes; k++) {
            dot += q[k] * (double) out[off + k];
          }
          sum += max + Math.log(s) - dot;
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
