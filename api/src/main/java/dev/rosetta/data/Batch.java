package dev.rosetta.data;

import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Shape;

/**
 * One batch, engine-neutral: {@code size} samples of {@code sampleShape}, row-major, as float32
 * features or as int token ids ({@code sampleShape} is then {@code [T]}, T at most the model's
 * input length).
 *
 * @param features float inputs, or null for token ids
 * @param tokens token ids, or null for float inputs
 * @param labels class labels (one per sample, or one per position), or null
 * @param targets float targets, or null (then {@link #targets(int)} one-hot encodes labels)
 */
public record Batch(Shape sampleShape, float[] features, int[] tokens, int[] labels, float[] targets, int size) {

  /** Float features. */
  public Batch(Shape sampleShape, float[] features, int[] labels, float[] targets, int size) {
    this(sampleShape, features, null, labels, targets, size);
  }

  /** {@code n} sequences of {@code length} token ids, unlabelled: inputs for prediction. */
  public static Batch ofTokens(int[] tokens, int n, int length) {
    if (tokens.length != (long) n * length) {
      throw new IllegalArgumentException(n + " sequences of " + length + " tokens need " + (long) n * length + " ids, got " + tokens.length);
    }
    return new Batch(Shape.of(length), null, tokens, null, null, n);
  }

  /** The sequence length of a batch of token ids. */
  public int length() {
    return sampleShape.dim(0);
  }

  /** Labels per sample: 1 for classification, T for a label at every position. */
  public int labelsPerSample() {
    return labels == null || size == 0 ? 1 : labels.length / size;
  }

  /**
   * Targets for an output of {@code width} values per sample: given targets, else labels
   * one-hot encoded, each over {@code width / labelsPerSample()} classes.
   */
  public float[] targets(int width) {
    if (targets != null) {
      return targets;
    }
    return oneHot(width / labelsPerSample());
  }

  /**
   * One row of {@code classes} per label, 1 at the label; a label outside {@code [0, classes)}
   * (an ignored one) gives a row of zeros.
   */
  public float[] oneHot(int classes) {
    float[] t = new float[labels.length * classes];
    for (int i = 0; i < labels.length; i++) {
      int l = labels[i];
      if (l >= 0 && l < classes) {
        t[i * classes + l] = 1f;
      }
    }
    return t;
  }

  /**
   * What {@code loss} compares the output against, {@code width} values per sample: for
   * cross_entropy one row per label of {@code width / labelsPerSample()} classes, the label
   * distribution (one-hot, or smoothed by its {@code label_smoothing}; zeros for an ignored label);
   * for mse the given targets, else one-hot labels.
   */
  public float[] targets(Loss loss, int width) {
    return loss.accept(new Loss.Visitor<float[]>() {
      @Override
      public float[] crossEntropy(Loss.CrossEntropy l) {
        int classes = width / labelsPerSample();
        float[] q = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
          if (!l.ignores(labels[i])) {
            l.targets(labels[i], q, i * classes, classes);
          }
        }
        return q;
      }

      @Override
      public float[] mse(Loss.Mse l) {
        return targets(width);
      }
    });
  }
}
