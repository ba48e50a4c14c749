package dev.rosetta.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Arrays of token ids from CSV, one sequence per line: {@code length} ids, then its labels,
 * either {@code length} of them (one per position) or one (a class for the whole sequence). A
 * first line that is not all integers is a header and skipped.
 */
public final class TokenCsvReader {
  private TokenCsvReader() {}

  /**
   * @param labelsPerSequence {@code length} or 1
   */
  public static Dataset read(Path file, int length, int labelsPerSequence) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DataException("CSV file not found: " + file);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new DataException(file + ": cannot read as UTF-8 text: " + e.getMessage(), e);
    }
    int columns = length + labelsPerSequence;
    int[][] rows = new int[lines.size()][];
    int n = 0;
    boolean first = true;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (first && !integers(f)) {
        first = false;
        continue;
      }
      first = false;
      if (f.length != columns) {
        throw new DataException(file + ":" + (i + 1) + ": " + f.length + " fields, expected " + columns + " ("
            + length + " token ids, then " + labelsPerSequence + " label" + (labelsPerSequence == 1 ? "" : "s") + ")");
      }
      int[] row = new int[columns];
      for (int c = 0; c < columns; c++) {
        try {
          row[c] = Integer.parseInt(f[c].trim());
        } catch (NumberFormatException e) {
          throw new DataException(file + ":" + (i + 1) + ", column " + (c + 1) + ": not an integer token id or label: '" + f[c].trim() + "'");
        }
      }
      rows[n++] = row;
    }
    if (n == 0) {
      throw new DataException(file + ": no data rows");
    }
    int[] x = new int[n * length];
    int[] y = new int[n * labelsPerSequence];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows[i], 0, x, i * length, length);
      System.arraycopy(rows[i], length, y, i * labelsPerSequence, labelsPerSequence);
    }
    return Dataset.tokens(length, x, y, file.toString());
  }

  private static boolean integers(String[] fields) {
    for (String f : fields) {
      try {
        Integer.parseInt(f.trim());
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return true;
  }
}
