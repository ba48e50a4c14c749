package dev.rosetta.train;

import dev.rosetta.metrics.ClassificationMetrics;
import dev.rosetta.metrics.RegressionMetrics;

/**
 * Loss and metrics over a dataset.
 *
 * @param loss the spec's loss, mean over every counted label (a sequence model: every token)
 * @param accuracy fraction of argmax hits over the counted labels (token accuracy for a sequence
 *     model), or NaN for a regression set
 * @param classification confusion matrix and per-class figures when the set has one class label
 *     per sample, else null
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

  /** {@code exp(loss)}: a cross-entropy loss as perplexity per label (per token). */
  public double perplexity() {
    return Math.exp(loss);
  }

  /** {@code loss / ln 2}: a cross-entropy loss in bits per label (bits per character on text). */
  public double bitsPerToken() {
    return loss / Math.log(2);
  }
}
