package dev.rosetta.data;

import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Shape;

/**
 * One batch, engine-neutral: {@code size} samples of {@code sampleShape}, row-major.
 *
 * @param labels class labels, or null
 * @param targets float targets, or null (then {@link #targets(int)} one-hot encodes labels)
 */
public record Batch(Shape sampleShape, float[] features, int[] labels, float[] targets, int size) {

  /** Targets for an output of {@code width} values per sample: given targets, else one-hot labels. */
  public float[] targets(int width) {
    if (targets != null) {
      return targets;
    }
    float[] t = new float[size * width];
    for (int i = 0; i < size; i++) {
      t[i * width + labels[i]] = 1f;
    }
    return t;
  }

  /**
   * What {@code loss} compares the output against, {@code width} values per sample: for
   * cross_entropy the label distribution (one-hot, or smoothed by its {@code label_smoothing});
   * for mse the given targets, else one-hot labels.
   */
  public float[] targets(Loss loss, int width) {
    return loss.accept(new Loss.Visitor<float[]>() {
      @Override
      public float[] crossEntropy(Loss.CrossEntropy l) {
        float[] q = new float[size * width];
        for (int i = 0; i < size; i++) {
          l.targets(labels[i], q, i * width, width);
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
