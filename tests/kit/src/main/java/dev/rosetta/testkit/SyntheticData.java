package dev.rosetta.testkit;

import dev.rosetta.data.Dataset;
import dev.rosetta.spec.Shape;
import java.util.SplittableRandom;

/** Small seeded data sets a few epochs can learn, in any sample shape. */
public final class SyntheticData {
  private SyntheticData() {}

  /**
   * {@code classes} Gaussian blobs: class {@code c} raises every feature whose index is {@code c}
   * modulo {@code classes}, plus uniform noise.
   */
  public static Dataset blobs(Shape sample, int classes, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int fs = (int) sample.size();
    float[] x = new float[n * fs];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(classes);
      for (int k = 0; k < fs; k++) {
        x[i * fs + k] = (float) ((k % classes == y[i] ? 1.5 : 0.0) + r.nextDouble() * 2 - 1);
      }
    }
    return Dataset.classification(sample, x, y, "blobs" + sample);
  }

  /**
   * Three classes of {@code [C, H, W]} images ({@code H} a multiple of 3), labels cycling 0, 1,
   * 2: class {@code c} brightens the {@code c}-th third of channel 0's rows by 1.5, over uniform
   * noise in [-0.5, 0.5) everywhere. Only where the band lies tells the classes apart, so a
   * convolutional model with a global pool learns them from the padded borders, in a few epochs.
   */
  public static Dataset bands(Shape sample, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int fs = (int) sample.size();
    int plane = sample.dim(1) * sample.dim(2);
    int bandRows = sample.dim(1) / 3;
    float[] x = new float[n * fs];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
      for (int k = 0; k < fs; k++) {
        int row = k % plane / sample.dim(2);
        boolean band = k < plane && row / bandRows == y[i];
        x[i * fs + k] = (float) ((band ? 1.5 : 0) + r.nextDouble() - 0.5);
      }
    }
    return Dataset.classification(sample, x, y, "bands" + sample);
  }

  /** A smooth nonlinear regression: targets are {@code sin} of fixed random projections. */
  public static Dataset regression(Shape sample, int targetSize, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int fs = (int) sample.size();
    double[] proj = new double[targetSize * fs];
    for (int i = 0; i < proj.length; i++) {
      proj[i] = r.nextDouble() * 2 - 1;
    }
    float[] x = new float[n * fs];
    float[] t = new float[n * targetSize];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < fs; k++) {
        x[i * fs + k] = (float) (r.nextDouble() * 2 - 1);
      }
      for (int j = 0; j < targetSize; j++) {
        double s = 0;
        for (int k = 0; k < fs; k++) {
          s += proj[j * fs + k] * x[i * fs + k];
        }
        t[i * targetSize + j] = (float) Math.sin(s);
      }
    }
    return new Dataset(sample, x, null, t, targetSize, "regression" + sample);
  }

  /**
   * {@code n} random sequences of {@code length} ids below {@code vocab}, each labelled with
   * its next-token targets as a text would be (the ids shifted by one, a fresh id last).
   */
  public static Dataset nextTokens(int length, int vocab, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] x = new int[n * length];
    int[] y = new int[n * length];
    for (int i = 0; i < n; i++) {
      int[] stream = new int[length + 1];
      for (int k = 0; k <= length; k++) {
        stream[k] = r.nextInt(vocab);
      }
      System.arraycopy(stream, 0, x, i * length, length);
      System.arraycopy(stream, 1, y, i * length, length);
    }
    return Dataset.tokens(length, x, y, "next-tokens[" + length + "]");
  }

  /**
   * The reversal task: {@code n} sequences of {@code length} digits (0-9), each labelled at
   * every position with the digit at the mirrored position ({@code y[i] = x[length - 1 - i]}).
   * A model that mixes no positions (embedding, dense layers) cannot do better than chance (10%
   * per token) away from the middle; attention can learn the mirror from position embeddings.
   */
  public static Dataset reverseDigits(int length, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] x = new int[n * length];
    int[] y = new int[n * length];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < length; k++) {
        x[i * length + k] = r.nextInt(10);
      }
      for (int k = 0; k < length; k++) {
        y[i * length + k] = x[i * length + length - 1 - k];
      }
    }
    return Dataset.tokens(length, x, y, "reverse-digits[" + length + "]");
  }
}
