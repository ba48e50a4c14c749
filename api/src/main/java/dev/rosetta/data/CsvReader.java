package dev.rosetta.data;

import dev.rosetta.spec.Shape;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads numeric CSV: one sample per line, comma-separated. A header line is recognised when its
 * fields are not numbers. The label column is named by the caller, else the column called
 * {@code label}, else the last column. Integer labels make a classification set; any
 * fractional label makes a regression set with one target per sample.
 */
public final class CsvReader {
  private CsvReader() {}

  public static Dataset read(Path file, String labelColumn) {
    List<String> lines;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      lines = r.lines().toList();
    } catch (NoSuchFileException e) {
      throw new DataException("CSV file not found: " + file);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new DataException(file + ": cannot read as UTF-8 text: " + e.getMessage(), e);
    }
    int first = 0;
    while (first < lines.size() && lines.get(first).isBlank()) {
      first++;
    }
    if (first == lines.size()) {
      throw new DataException(file + ": empty CSV file");
    }
    String[] head = split(lines.get(first));
    boolean hasHeader = Arrays.stream(head).anyMatch(f -> !isNumber(f));
    int columns = head.length;
    if (columns < 2) {
      throw new DataException(file + ": a CSV data file needs at least one feature column and a label column");
    }
    int labelIdx = columns - 1;
    if (hasHeader) {
      List<String> names = Arrays.stream(head).map(String::trim).toList();
      if (labelColumn != null) {
        labelIdx = names.indexOf(labelColumn);
        if (labelIdx < 0) {
          throw new DataException(file + ": no column named '" + labelColumn + "' (columns: " + String.join(", ", names) + ")");
        }
      } else if (names.contains("label")) {
        labelIdx = names.indexOf("label");
      }
    } else if (labelColumn != null) {
      throw new DataException(file + ": --label-column '" + labelColumn + "' needs a header line, and this file has none");
    }
    int start = hasHeader ? first + 1 : first;
    List<float[]> rows = new ArrayList<>();
    List<Double> labels = new ArrayList<>();
    for (int i = start; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = split(line);
      if (f.length != columns) {
        throw new DataException(file + ":" + (i + 1) + ": " + f.length + " fields, expected " + columns);
      }
      float[] row = new float[columns - 1];
      int k = 0;
      for (int c = 0; c < columns; c++) {
        double v;
        try {
          v = Double.parseDouble(f[c].trim());
        } catch (NumberFormatException e) {
          throw new DataException(file + ":" + (i + 1) + ", column " + (c + 1) + (hasHeader ? " ('" + head[c].trim() + "')" : "") + ": not a number: '" + f[c].trim() + "'");
        }
        if (!Double.isFinite(v)) {
          throw new DataException(file + ":" + (i + 1) + ", column " + (c + 1) + ": value is not finite: '" + f[c].trim() + "'");
        }
        if (c == labelIdx) {
          labels.add(v);
        } else {
          row[k++] = (float) v;
        }
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new DataException(file + ": no data rows");
    }
    int n = rows.size();
    int fs = columns - 1;
    float[] x = new float[n * fs];
    for (int i = 0; i < n; i++) {
      System.arraycopy(rows.get(i), 0, x, i * fs, fs);
    }
    boolean integral = labels.stream().allMatch(v -> v == Math.rint(v) && v >= 0);
    if (integral) {
      int[] y = labels.stream().mapToInt(Double::intValue).toArray();
      return Dataset.classification(Shape.of(fs), x, y, file.toString());
    }
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = labels.get(i).floatValue();
    }
    return new Dataset(Shape.of(fs), x, null, t, 1, file.toString());
  }

  private static String[] split(String line) {
    return line.split(",", -1);
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s.trim());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
