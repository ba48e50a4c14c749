package dev.rosetta.data;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/**
 * The characters of a text, each a token id: the distinct Unicode code points of the training
 * text in ascending order, id 0 the smallest. It travels with the checkpoint (and the ONNX file)
 * as metadata, so a model trained on text predicts and generates from text anywhere.
 *
 * <p>Policy for characters outside the vocabulary (in a prompt, or in a text evaluated later):
 * an error naming the character and where it is. Nothing is silently replaced or dropped.
 */
public final class Vocabulary {
  /** The metadata key under which checkpoints and ONNX files carry the characters, in id order. */
  public static final String METADATA_KEY = "vocabulary";

  private final int[] codePoints;

  private Vocabulary(int[] sortedCodePoints) {
    this.codePoints = sortedCodePoints;
  }

  /** The distinct characters of {@code text}, in code point order. */
  public static Vocabulary of(String text) {
    TreeSet<Integer> set = new TreeSet<>();
    text.codePoints().forEach(set::add);
    return new Vocabulary(set.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The vocabulary stored under {@link #METADATA_KEY}, or null when there is none. */
  public static Vocabulary fromMetadata(Map<String, String> metadata) {
    String chars = metadata.get(METADATA_KEY);
    if (chars == null) {
      return null;
    }
    int[] cps = chars.codePoints().toArray();
    for (int i = 1; i < cps.length; i++) {
      if (cps[i] <= cps[i - 1]) {
        throw new DataException("the stored vocabulary is not in code point order at character " + i);
      }
    }
    return new Vocabulary(cps);
  }

  /** The characters in id order: the metadata value. */
  public String characters() {
    return new String(codePoints, 0, codePoints.length);
  }

  public int size() {
    return codePoints.length;
  }

  /** The id of a character, or -1 when it is not in the vocabulary. */
  public int id(int codePoint) {
    int i = Arrays.binarySearch(codePoints, codePoint);
    return i >= 0 ? i : -1;
  }

  /**
   * Token ids of a text.
   *
   * @param where names the text in messages (a file, "prompt")
   * @throws DataException at the first character outside the vocabulary, with its line and
   *     column (1-based) and its code point
   */
  public int[] encode(String text, String where) {
    int[] cps = text.codePoints().toArray();
    int[] ids = new int[cps.length];
    int line = 1;
    int column = 1;
    for (int i = 0; i < cps.length; i++) {
      int id = id(cps[i]);
      if (id < 0) {
        throw new DataException(where + ":" + line + ":" + column + ": character " + describe(cps[i])
            + " is not in the vocabulary (" + size() + " characters, built from the training text); the model"
            + " cannot read it: remove or replace it");
      }
      ids[i] = id;
      if (cps[i] == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return ids;
  }

  /** The text of token ids. */
  public String decode(int[] ids) {
    StringBuilder sb = new StringBuilder();
    for (int id : ids) {
      sb.appendCodePoint(codePoints[id]);
    }
    return sb.toString();
  }

  /** {@code 'é' (U+00E9)}, with control characters shown by their code only. */
  static String describe(int cp) {
    String code = String.format("U+%04X", cp);
    return Character.isISOControl(cp) ? code : "'" + new String(Character.toChars(cp)) + "' (" + code + ")";
  }
}
