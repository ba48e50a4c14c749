package dev.rosetta.train;

import dev.rosetta.metrics.ClassificationMetrics;
import dev.rosetta.metrics.RegressionMetrics;

/**
 * Loss and metrics over a dataset.
 *
 * @param accuracy fraction of argmax hits, or NaN for a regression set
 * @param classification confusion matrix and per-class figures when the set has class labels,
 *     else null
 * @param regression MAE, RMSE and R² for an {@code mse} model, else null
 */
public record Evaluation(
    double loss, double accuracy, int samples, ClassificationMetrics classification, RegressionMetrics regression) {

  /** Loss and accuracy only. */
  public Evaluation(double loss, double accuracy, int samples) {
    this(loss, accuracy, samples, null, null);
  }

  /** Macro-averaged F1, or NaN without class labels. */
  public double macroF1() {
    return classification == null ? Double.NaN : classification.macro().f1();
  }
}
