package dev.rosetta.sweep;

import java.io.Serializable;
import java.util.Map;

/**
 * What one trial measured.
 *
 * @param values the ranking metric on each held-out part (each fold, or the validation split); empty for a final model
 * @param means every metric the loss computes, averaged over the parts
 * @param checkpoint the checkpoint file's bytes, or null
 * @param worker the thread (and in Spark, the executor) that ran it, and when: to show trials running side by side
 */
public record TrialResult(
    int index, double[] values, Map<String, Double> means, byte[] checkpoint, int trainRows, String worker, long startMillis,
    long endMillis) implements Serializable {
  private static final long serialVersionUID = 1L;

  public TrialResult {
    means = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(means));
  }

  public double mean() {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s / values.length;
  }

  /** Sample standard deviation (n - 1) over the parts; 0 for a single part. */
  public double std() {
    if (values.length < 2) {
      return 0;
    }
    double m = mean();
    double s = 0;
    for (double v : values) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (values.length - 1));
  }

  public double seconds() {
    return (endMillis - startMillis) / 1000.0;
  }
}
