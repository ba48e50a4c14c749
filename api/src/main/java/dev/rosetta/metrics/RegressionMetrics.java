package dev.rosetta.metrics;

/**
 * Errors of a model trained with {@code mse}, over every output value against its target:
 * {@code MAE = mean|y - t|}, {@code RMSE = sqrt(mean (y - t)^2)} (the square root of the mse
 * loss), and {@code R² = 1 - SS_res / SS_tot} per output column ({@code SS_tot} around that
 * column's mean target), averaged over the columns as scikit-learn's {@code r2_score} does by
 * default. A column whose targets are all equal scores R² 1 if predicted exactly, else 0
 * (scikit-learn's {@code force_finite}).
 */
public record RegressionMetrics(double mae, double rmse, double r2, int samples) {

  /**
   * @param outputs {@code n * width} model outputs, row-major
   * @param targets the same layout
   */
  public static RegressionMetrics of(float[] outputs, float[] targets, int width) {
    if (outputs.length != targets.length || width <= 0 || outputs.length % width != 0) {
      throw new IllegalArgumentException(outputs.length + " outputs, " + targets.length + " targets, width " + width);
    }
    int n = outputs.length / width;
    double abs = 0;
    double sq = 0;
    for (int i = 0; i < outputs.length; i++) {
      double d = (double) outputs[i] - targets[i];
      abs += Math.abs(d);
      sq += d * d;
    }
    double r2 = 0;
    for (int j = 0; j < width; j++) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += targets[i * width + j];
      }
      mean /= n;
      double res = 0;
      double tot = 0;
      for (int i = 0; i < n; i++) {
        double t = targets[i * width + j];
        double d = outputs[i * width + j] - t;
        res += d * d;
        tot += (t - mean) * (t - mean);
      }
      r2 += tot == 0 ? (res == 0 ? 1 : 0) : 1 - res / tot;
    }
    int count = outputs.length;
    return new RegressionMetrics(abs / count, Math.sqrt(sq / count), r2 / width, n);
  }
}
