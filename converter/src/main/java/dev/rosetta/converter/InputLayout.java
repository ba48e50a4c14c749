package dev.rosetta.converter;

import dev.rosetta.spec.Shape;

/**
 * How the imported spec's input relates to the original file's. Rosetta's activations are NCHW;
 * a Keras model exported through tf2onnx takes NHWC images and transposes them (or, with one
 * channel, reshapes them) to NCHW at the graph's edge. The importer drops that edge, so the spec
 * takes the same samples in NCHW order, and this record says how to move a sample between the
 * two: {@code canonical = original.transpose(perm)} per sample.
 *
 * @param original one sample as the file takes it, e.g. {@code [28, 28, 1]}
 * @param perm canonical axis {@code k} is original axis {@code perm[k]} (identity when the file
 *     already takes the spec's layout)
 */
public record InputLayout(Shape original, int[] perm) {
  public InputLayout {
    perm = perm.clone();
  }

  /** The file takes exactly the spec's samples. */
  public static InputLayout same(Shape input) {
    int[] perm = new int[input.rank()];
    for (int k = 0; k < perm.length; k++) {
      perm[k] = k;
    }
    return new InputLayout(input, perm);
  }

  /** One sample in the spec's (canonical, NCHW) layout. */
  public Shape canonical() {
    int[] d = new int[perm.length];
    for (int k = 0; k < d.length; k++) {
      d[k] = original.dim(perm[k]);
    }
    return Shape.of(d);
  }

  public boolean isIdentity() {
    return Transpose.isIdentity(perm);
  }

  /** {@code n} samples in the file's layout moved to the spec's. */
  public float[] toCanonical(float[] originalSamples, int n) {
    return move(originalSamples, n, original.dims(), perm);
  }

  /** {@code n} samples in the spec's layout moved to the file's. */
  public float[] toOriginal(float[] canonicalSamples, int n) {
    return move(canonicalSamples, n, canonical().dims(), Transpose.inverse(perm));
  }

  private static float[] move(float[] x, int n, int[] sampleDims, int[] samplePerm) {
    if (Transpose.isIdentity(samplePerm)) {
      return x;
    }
    int size = x.length / Math.max(1, n);
    int[] src = Transpose.indices(sampleDims, samplePerm);
    float[] out = new float[x.length];
    for (int s = 0; s < n; s++) {
      int base = s * size;
      for (int i = 0; i < size; i++) {
        out[base + i] = x[base + src[i]];
      }
    }
    return out;
  }

  /**
   * {@code NHWC [28, 28, 1] -> NCHW [1, 28, 28]}, or {@code [1, 28, 28] (unchanged)}.
   */
  public String describe() {
    if (isIdentity()) {
      return canonical() + " (unchanged)";
    }
    return (original.rank() == 3 ? "NHWC " : "") + original + " -> " + (original.rank() == 3 ? "NCHW " : "") + canonical();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InputLayout l && original.equals(l.original) && java.util.Arrays.equals(perm, l.perm);
  }

  @Override
  public int hashCode() {
    return 31 * original.hashCode() + java.util.Arrays.hashCode(perm);
  }

  @Override
  public String toString() {
    return describe();
  }
}
