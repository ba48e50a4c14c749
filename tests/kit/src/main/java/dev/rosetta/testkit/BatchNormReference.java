package dev.rosetta.testkit;

import dev.rosetta.spec.Layer;
import dev.rosetta.weights.WeightSet;

/**
 * Batch norm's training form, which {@link JavaReferenceModel} leaves out (it is the evaluation
 * form throughout): the output normalised by the batch's own statistics, and the running
 * statistics a training step leaves behind, both as docs/spec.md defines them (PyTorch's rules).
 * A batch norm sees a whole batch at once, so these take {@code n} samples laid out {@code [n,
 * channels, inner]} (row-major NCHW, or {@code [N, C]} with inner 1) rather than one sample at
 * a time. The per-element formula is {@link JavaReferenceModel#batchNormalize}, shared with the
 * evaluation form.
 */
public final class BatchNormReference {
  private BatchNormReference() {}

  /**
   * One batch's statistics per channel: the mean, the biased variance (divided by {@code
   * count}, what training normalises with), and {@code count}, the values per channel ({@code n}
   * times the plane).
   */
  public record Statistics(double[] mean, double[] variance, int count) {
    /**
     * The unbiased variance, {@code variance * count / (count - 1)}: what running_var takes in.
     * With few values per channel it is far from the biased one, so a test on a small batch
     * tells them apart.
     */
    public double unbiasedVariance(int channel) {
      return variance[channel] * count / (count - 1);
    }
  }

  /** The per-channel statistics of {@code n} samples of {@code channels} channels each. */
  public static Statistics statistics(double[] x, int n, int channels) {
    int inner = x.length / (n * channels);
    double[] mean = new double[channels];
    double[] var = new double[channels];
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < inner; k++) {
          sum += x[(i * channels + c) * inner + k];
        }
      }
      mean[c] = sum / (n * inner);
      double sq = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < inner; k++) {
          double d = x[(i * channels + c) * inner + k] - mean[c];
          sq += d * d;
        }
      }
      var[c] = sq / (n * inner);
    }
    return new Statistics(mean, var, n * inner);
  }

  /**
   * The training-form output in doubles: each channel normalised by the batch's own mean and
   * biased variance, then scaled and shifted by {@code weight} and {@code bias}. Doubles in and
   * out so that a test can take central differences of a loss built on it.
   */
  public static double[] training(double[] x, int n, double[] weight, double[] bias, double epsilon) {
    int channels = weight.length;
    int inner = x.length / (n * channels);
    Statistics s = statistics(x, n, channels);
    double[] y = new double[x.length];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < channels; c++) {
        for (int k = 0; k < inner; k++) {
          int at = (i * channels + c) * inner + k;
          y[at] = JavaReferenceModel.batchNormalize(x[at], s.mean()[c], s.variance()[c], epsilon, weight[c], bias[c]);
        }
      }
    }
    return y;
  }

  /**
   * The training-form output of layer {@code bn} on {@code n} samples {@code x}, with the
   * layer's weight and bias from {@code w}; what {@code TrainableModel.trainingOutput} must give
   * for a model that is this one layer.
   */
  public static float[] training(Layer.BatchNorm bn, WeightSet w, float[] x, int n) {
    double[] y = training(
        doubles(x), n, doubles(w.get(bn.name() + ".weight").data()), doubles(w.get(bn.name() + ".bias").data()),
        bn.epsilon());
    float[] out = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      out[i] = (float) y[i];
    }
    return out;
  }

  /** running_mean and running_var of one batch norm layer. */
  public record Running(float[] mean, float[] variance) {}

  /**
   * The running statistics of layer {@code bn} after one training step on {@code n} samples
   * {@code x}, starting from those in {@code w}. PyTorch's convention: momentum weighs the new
   * statistic, {@code running = (1 - momentum) * running + momentum * stat}, and running_var
   * takes the unbiased variance. (Keras weighs the old value with momentum; with a momentum away
   * from 0.5 the two differ.)
   */
  public static Running afterStep(Layer.BatchNorm bn, WeightSet w, float[] x, int n) {
    float[] mean = w.get(bn.name() + ".running_mean").data();
    float[] var = w.get(bn.name() + ".running_var").data();
    Statistics s = statistics(doubles(x), n, mean.length);
    double m = bn.momentum();
    float[] newMean = new float[mean.length];
    float[] newVar = new float[var.length];
    for (int c = 0; c < mean.length; c++) {
      newMean[c] = (float) ((1 - m) * mean[c] + m * s.mean()[c]);
      newVar[c] = (float) ((1 - m) * var[c] + m * s.unbiasedVariance(c));
    }
    return new Running(newMean, newVar);
  }

  static double[] doubles(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }
}
