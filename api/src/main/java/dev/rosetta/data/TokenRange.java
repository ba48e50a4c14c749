package dev.rosetta.data;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;

/**
 * The checks token ids pass before any backend sees them, so that an id outside the vocabulary
 * or a sequence of the wrong length is an error naming where it is, never a native crash (an
 * out-of-range index in libtorch, TensorFlow or ONNX Runtime) or a silently wrong row.
 */
public final class TokenRange {
  private TokenRange() {}

  /**
   * @param where what the ids are, for messages ({@code "batch"}, a file name)
   * @throws DataException for a sequence longer than the model takes, a shorter one where the
   *     model needs the whole length, or an id outside {@code [0, vocab_size)} of an embedding
   */
  public static void require(CheckedSpec spec, int[] ids, int n, int length, String where) {
    requireLength(spec, length, where);
    if (ids.length != (long) n * length) {
      throw new IllegalArgumentException(n + " sequences of " + length + " tokens need " + (long) n * length + " ids, got " + ids.length);
    }
    for (Layer.Embedding e : spec.tokenReaders()) {
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] < 0 || ids[i] >= e.vocabSize()) {
          throw new DataException(where + ": token id " + ids[i] + " at sequence " + i / length + ", position " + i % length
              + " is outside the vocabulary of embedding '" + e.name() + "' (vocab_size " + e.vocabSize() + ": ids 0.."
              + (e.vocabSize() - 1) + ")");
        }
      }
    }
  }

  /**
   * {@link #require}, then the ids widened to int64, the type every runtime indexes with.
   *
   * @return {@code ids} as longs, row-major {@code [n, length]}
   */
  public static long[] checkedIds(CheckedSpec spec, int[] ids, int n, int length, String where) {
    require(spec, ids, n, length, where);
    long[] wide = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      wide[i] = ids[i];
    }
    return wide;
  }

  /** The length check of {@link #require} alone. */
  public static void requireLength(CheckedSpec spec, int length, String where) {
    if (!spec.takesTokens()) {
      throw new IllegalArgumentException("spec '" + spec.name() + "' takes float32 features, not token ids");
    }
    int max = spec.input().dim(0);
    if (length > max) {
      throw new DataException(where + ": a sequence of " + length + " tokens is longer than the " + max
          + " the model takes (its input is [" + max + "])");
    }
    if (length < 1) {
      throw new DataException(where + ": a sequence needs at least one token");
    }
    if (length < max && !spec.takesShorterSequences()) {
      Layer l = spec.fixedLengthLayer();
      throw new DataException(where + ": a sequence of " + length + " tokens is shorter than the " + max
          + " this model needs (layer '" + l.name() + "' (" + l.type() + ") works on the whole sequence only)");
    }
  }
}
