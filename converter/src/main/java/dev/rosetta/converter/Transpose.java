package dev.rosetta.converter;

/** Index arithmetic of a row-major transpose, shared by constants and input layouts. */
final class Transpose {
  private Transpose() {}

  /**
   * For {@code y = x.transpose(perm)} with {@code x} of shape {@code dims}: the flat index into
   * {@code x} of each flat element of {@code y}, in order.
   */
  static int[] indices(int[] dims, int[] perm) {
    int r = dims.length;
    int[] strides = new int[r];
    int size = 1;
    for (int k = r - 1; k >= 0; k--) {
      strides[k] = size;
      size *= dims[k];
    }
    int[] outDims = new int[r];
    for (int k = 0; k < r; k++) {
      outDims[k] = dims[perm[k]];
    }
    int[] src = new int[size];
    int[] idx = new int[r];
    for (int i = 0; i < size; i++) {
      int s = 0;
      for (int k = 0; k < r; k++) {
        s += idx[k] * strides[perm[k]];
      }
      src[i] = s;
      for (int k = r - 1; k >= 0; k--) {
        if (++idx[k] < outDims[k]) {
          break;
        }
        idx[k] = 0;
      }
    }
    return src;
  }

  /** The permutation that undoes {@code perm}. */
  static int[] inverse(int[] perm) {
    int[] inv = new int[perm.length];
    for (int k = 0; k < perm.length; k++) {
      inv[perm[k]] = k;
    }
    return inv;
  }

  static boolean isIdentity(int[] perm) {
    for (int k = 0; k < perm.length; k++) {
      if (perm[k] != k) {
        return false;
      }
    }
    return true;
  }
}
