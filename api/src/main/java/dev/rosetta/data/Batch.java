package dev.rosetta.data;

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
}
