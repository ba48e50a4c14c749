package dev.rosetta.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A text read as characters for a next-character model: a UTF-8 file, or every regular file of
 * a folder (sorted by name; symbolic links and hidden files skipped, so a link to a file already
 * read is not read twice) one after the other. The last {@value #TEST_PERCENT}% of the
 * characters are the test (validation) set. Each set is cut into sequences of {@code length}
 * characters, {@code length} apart; the labels of a sequence are the characters that follow each
 * position (the same window shifted by one), so a window never crosses into the other set.
 */
public final class TextReader {
  /** The share of the text, at its end, held out as the test set. */
  public static final int TEST_PERCENT = 10;

  private TextReader() {}

  /** A text as it was read: its characters and where they came from. */
  public record Text(String characters, String source) {}

  /** Reads the text at {@code path} (a file or a folder of files). */
  public static Text read(Path path) {
    if (!Files.exists(path)) {
      throw new DataException("text not found: " + path);
    }
    if (!Files.isDirectory(path)) {
      return new Text(readFile(path), path.toString());
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(path)) {
      files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted().toList();
    } catch (IOException e) {
      throw new DataException(path + ": cannot list the folder: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new DataException(path + ": no text files in the folder");
    }
    StringBuilder sb = new StringBuilder();
    for (Path f : files) {
      sb.append(readFile(f));
    }
    return new Text(sb.toString(), path + " (" + files.size() + " files)");
  }

  private static String readFile(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DataException("text not found: " + file);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + e.getMessage(), e);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new DataException(file + ": not UTF-8 text (" + e.getMessage() + ")", e);
    }
  }

  /**
   * The text's training and test sets for sequences of {@code length} characters.
   *
   * @param stored the vocabulary of a trained model (every character must be in it), or null to
   *     build one from the whole text
   */
  public static DataSplit split(Text text, int length, Vocabulary stored) {
    Vocabulary vocab = stored != null ? stored : Vocabulary.of(text.characters());
    int[] ids = vocab.encode(text.characters(), text.source());
    int cut = (int) ((long) ids.length * (100 - TEST_PERCENT) / 100);
    Dataset train = windows(ids, 0, cut, length, text.source() + " (training part)");
    Dataset test = windows(ids, cut, ids.length, length, text.source() + " (last " + TEST_PERCENT + "%)");
    if (train.size() == 0) {
      throw new DataException(text.source() + ": " + ids.length + " characters make no training sequence of " + length
          + " (need more than " + (long) length * 100 / (100 - TEST_PERCENT) + ")");
    }
    return new DataSplit(train, test.size() == 0 ? null : test, vocab);
  }

  /** Sequences {@code ids[from + i * length ..][0..length)} with their next characters as labels. */
  static Dataset windows(int[] ids, int from, int to, int length, String source) {
    int n = Math.max(0, (to - from - 1) / length);
    int[] x = new int[n * length];
    int[] y = new int[n * length];
    for (int i = 0; i < n; i++) {
      System.arraycopy(ids, from + i * length, x, i * length, length);
      System.arraycopy(ids, from + i * length + 1, y, i * length, length);
    }
    return Dataset.tokens(length, x, y, source);
  }
}
