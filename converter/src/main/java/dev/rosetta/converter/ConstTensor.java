package dev.rosetta.converter;

import java.util.Arrays;

/**
 * A tensor whose value is in the file: an initialiser, a Constant node, or something computed
 * from those alone. Floating-point values are held as float32 (the only weight type Rosetta
 * has), integer ones as int64 (shapes, axes, indices). {@code origin} names the initialiser it
 * came from, or null, so a layer can take its name from its weight.
 */
record ConstTensor(long[] dims, float[] floats, long[] ints, String origin, boolean fromInitializer) {
  ConstTensor {
    dims = dims.clone();
  }

  static ConstTensor ofFloats(long[] dims, float[] values, String origin, boolean fromInitializer) {
    return new ConstTensor(dims, values, null, origin, fromInitializer);
  }

  static ConstTensor ofInts(long[] dims, long[] values) {
    return new ConstTensor(dims, null, values, null, false);
  }

  boolean isFloat() {
    return floats != null;
  }

  int rank() {
    return dims.length;
  }

  long size() {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }

  /** The single value of a scalar or one-element tensor, as a double; NaN otherwise. */
  double scalar() {
    if (size() != 1) {
      return Double.NaN;
    }
    return isFloat() ? floats[0] : ints[0];
  }

  /** The values as int64 (an integer tensor, or a float one holding whole numbers). */
  long[] longs() {
    if (ints != null) {
      return ints.clone();
    }
    long[] out = new long[floats.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (long) floats[i];
    }
    return out;
  }

  /** The same values under other dims with the same element count. */
  ConstTensor reshaped(long[] newDims) {
    return new ConstTensor(newDims, floats, ints, origin, fromInitializer);
  }

  /**
   * numpy's {@code transpose(perm)}: output axis {@code k} is input axis {@code perm[k]}. Values
   * are moved, never recomputed, so a weight transposed twice is bit-identical.
   */
  ConstTensor transposed(int[] perm) {
    int r = dims.length;
    long[] outDims = new long[r];
    for (int k = 0; k < r; k++) {
      outDims[k] = dims[perm[k]];
    }
    int[] src = Transpose.indices(toInt(dims), perm);
    if (isFloat()) {
      float[] out = new float[floats.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = floats[src[i]];
      }
      return new ConstTensor(outDims, out, null, origin, fromInitializer);
    }
    long[] out = new long[ints.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = ints[src[i]];
    }
    return new ConstTensor(outDims, null, out, origin, fromInitializer);
  }

  static int[] toInt(long[] dims) {
    int[] d = new int[dims.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.toIntExact(dims[i]);
    }
    return d;
  }

  @Override
  public String toString() {
    return (isFloat() ? "float" : "int64") + Arrays.toString(dims);
  }
}
