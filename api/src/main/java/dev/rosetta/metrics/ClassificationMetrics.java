package dev.rosetta.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a classifier got right and wrong on a labelled set: the confusion matrix and the figures
 * derived from it, with the formulas of docs/spec.md ("Metrics"), which are scikit-learn's.
 * Zero division gives 0: a class never predicted has precision 0, a class absent from the labels
 * has recall 0, and F1 is 0 when precision and recall both are.
 *
 * @param classes the class names, index = label
 * @param confusion {@code confusion[true][predicted]} counts
 * @param perClass one entry per class, in class order
 * @param accuracy the fraction of rows predicted right
 * @param macro the unweighted mean over the classes that occur in the labels or the predictions
 *     (scikit-learn's default label set); a class that does neither does not pull it down
 * @param weighted the mean over classes weighted by support (rows of that class)
 * @param rocAuc for two classes, the area under the ROC curve of the second class's probability
 *     (ties counted half, as in the Mann–Whitney statistic); NaN otherwise or when one class is
 *     absent from the labels
 */
public record ClassificationMetrics(
    List<String> classes, int[][] confusion, List<PerClass> perClass, double accuracy, Average macro,
    Average weighted, double rocAuc) {

  /** One class's row of the report. */
  public record PerClass(String name, double precision, double recall, double f1, int support, int predicted) {}

  /** An average of the per-class precision, recall and F1. */
  public record Average(double precision, double recall, double f1) {}

  public ClassificationMetrics {
    classes = List.copyOf(classes);
    perClass = List.copyOf(perClass);
  }

  public int samples() {
    int n = 0;
    for (int[] row : confusion) {
      for (int v : row) {
        n += v;
      }
    }
    return n;
  }

  /**
   * @param labels the true class of each row
   * @param predicted the predicted class of each row
   * @param positiveScore for two classes, a score increasing with the model's belief in class 1
   *     (its softmax probability), one per row; null to skip ROC AUC
   * @param classes the class names; their count is the number of classes
   */
  public static ClassificationMetrics of(int[] labels, int[] predicted, double[] positiveScore, List<String> classes) {
    int k = classes.size();
    int n = labels.length;
    if (predicted.length != n) {
      throw new IllegalArgumentException(n + " labels but " + predicted.length + " predictions");
    }
    int[][] cm = new int[k][k];
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= k || predicted[i] < 0 || predicted[i] >= k) {
        throw new IllegalArgumentException("row " + i + ": class " + labels[i] + " / prediction " + predicted[i]
            + " outside the " + k + " classes");
      }
      cm[labels[i]][predicted[i]]++;
    }
    List<PerClass> per = new ArrayList<>();
    int hits = 0;
    double mp = 0;
    double mr = 0;
    double mf = 0;
    int present = 0;
    double wp = 0;
    double wr = 0;
    double wf = 0;
    for (int c = 0; c < k; c++) {
      int tp = cm[c][c];
      int support = Arrays.stream(cm[c]).sum();
      int pred = 0;
      for (int[] row : cm) {
        pred += row[c];
      }
      double precision = pred == 0 ? 0 : (double) tp / pred;
      double recall = support == 0 ? 0 : (double) tp / support;
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      per.add(new PerClass(classes.get(c), precision, recall, f1, support, pred));
      hits += tp;
      if (support > 0 || pred > 0) {
        present++;
        mp += precision;
        mr += recall;
        mf += f1;
      }
      wp += precision * support;
      wr += recall * support;
      wf += f1 * support;
    }
    Average macro = present == 0 ? new Average(0, 0, 0) : new Average(mp / present, mr / present, mf / present);
    Average weighted = n == 0 ? new Average(0, 0, 0) : new Average(wp / n, wr / n, wf / n);
    double auc = k == 2 && positiveScore != null ? rocAuc(labels, positiveScore) : Double.NaN;
    return new ClassificationMetrics(classes, cm, per, n == 0 ? Double.NaN : (double) hits / n, macro, weighted, auc);
  }

  /**
   * The probability that a random row of class 1 scores above a random row of class 0, ties
   * counted half: the Mann–Whitney U over {@code n1 * n0}, computed from average ranks.
   */
  static double rocAuc(int[] labels, double[] score) {
    int n = labels.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
    double rankSumPositive = 0;
    long positives = 0;
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1; // average 1-based rank of the tied run
      for (int t = i; t <= j; t++) {
        if (labels[order[t]] == 1) {
          rankSumPositive += rank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = n - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  /** Class names 0..k-1, for data whose labels are plain indexes (IDX, numeric CSV). */
  public static List<String> indexNames(int k) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      out.add(Integer.toString(i));
    }
    return out;
  }
}
