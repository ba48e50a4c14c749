package dev.rosetta.tabular;

import dev.rosetta.data.DataException;
import dev.rosetta.spec.Preprocess;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The columns a spec's {@code preprocess} section declares, read from a table and typed, before
 * any statistic is applied: what a user of the exported ONNX file feeds it. Numeric cells are
 * float32 with NaN for a missing cell; categorical cells are their trimmed text, null when
 * missing; labels are the label column's trimmed text (null when the table has no label column).
 *
 * @param numeric {@code size * numericNames.size()} values, row-major
 * @param categorical {@code size * categoricalNames.size()} cells, row-major
 * @param labels one per row, or null
 * @param lines the file line of each row, for messages
 */
public record RawRows(
    String source, List<String> numericNames, List<String> categoricalNames, String labelName, float[] numeric,
    String[] categorical, String[] labels, int[] lines) {

  public RawRows {
    numericNames = List.copyOf(numericNames);
    categoricalNames = List.copyOf(categoricalNames);
  }

  public int size() {
    return lines.length;
  }

  public int numericWidth() {
    return numericNames.size();
  }

  public int categoricalWidth() {
    return categoricalNames.size();
  }

  public float numeric(int row, int column) {
    return numeric[row * numericNames.size() + column];
  }

  public String categorical(int row, int column) {
    return categorical[row * categoricalNames.size() + column];
  }

  /** Whether any feature cell of the row is missing. */
  public boolean hasMissing(int row) {
    for (int c = 0; c < numericWidth(); c++) {
      if (Float.isNaN(numeric(row, c))) {
        return true;
      }
    }
    for (int c = 0; c < categoricalWidth(); c++) {
      if (categorical(row, c) == null) {
        return true;
      }
    }
    return false;
  }

  /** {@code file:12}: where row {@code row} is, for messages. */
  public String where(int row) {
    return source + ":" + lines[row];
  }

  /** The rows at {@code index}, in that order. */
  public RawRows select(int[] index) {
    int nw = numericWidth();
    int cw = categoricalWidth();
    float[] num = new float[index.length * nw];
    String[] cat = new String[index.length * cw];
    String[] lab = labels == null ? null : new String[index.length];
    int[] ln = new int[index.length];
    for (int i = 0; i < index.length; i++) {
      int r = index[i];
      System.arraycopy(numeric, r * nw, num, i * nw, nw);
      System.arraycopy(categorical, r * cw, cat, i * cw, cw);
      if (lab != null) {
        lab[i] = labels[r];
      }
      ln[i] = lines[r];
    }
    return new RawRows(source, numericNames, categoricalNames, labelName, num, cat, lab, ln);
  }

  /** The first {@code n} rows. */
  public RawRows head(int n) {
    int[] index = new int[Math.min(n, size())];
    Arrays.setAll(index, i -> i);
    return select(index);
  }

  /**
   * Reads the declared columns of {@code table}.
   *
   * @param labelRequired whether the table must have the label column (training and evaluation)
   *     or may lack it (prediction on new rows)
   * @throws DataException naming the file, line and column of the first bad cell: a column the
   *     header lacks, text in a numeric column, a missing or infinite value where none may be
   */
  public static RawRows read(CsvTable table, Preprocess p, boolean labelRequired) {
    Set<String> missing = new HashSet<>(p.missing());
    int[] num = indexes(table, p.numeric(), "numeric");
    int[] cat = indexes(table, p.categorical(), "categorical");
    int labelIndex = table.column(p.label());
    if (labelIndex < 0 && labelRequired) {
      throw new DataException(table.source() + ":1: the header has no label column '" + p.label()
          + "' (the spec's preprocess.label); columns: " + String.join(", ", table.header()));
    }
    int n = table.size();
    float[] numeric = new float[n * num.length];
    String[] categorical = new String[n * cat.length];
    String[] labels = labelIndex < 0 ? null : new String[n];
    for (int r = 0; r < n; r++) {
      String[] cells = table.rows().get(r);
      int line = table.lines()[r];
      for (int c = 0; c < num.length; c++) {
        numeric[r * num.length + c] = number(cells[num[c]], missing, table, line, p.numeric().get(c));
      }
      for (int c = 0; c < cat.length; c++) {
        String v = cells[cat[c]].trim();
        categorical[r * cat.length + c] = missing.contains(v) ? null : v;
      }
      if (labels != null) {
        String v = cells[labelIndex].trim();
        if (missing.contains(v)) {
          throw new DataException(table.source() + ":" + line + ", column '" + p.label() + "': the label is missing ('"
              + v + "'); remove the row or give it a label");
        }
        labels[r] = v;
      }
    }
    return new RawRows(table.source(), p.numeric(), p.categorical(), p.label(), numeric, categorical, labels, table.lines().clone());
  }

  private static int[] indexes(CsvTable table, List<String> names, String type) {
    int[] out = new int[names.size()];
    List<String> absent = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      out[i] = table.column(names.get(i));
      if (out[i] < 0) {
        absent.add(names.get(i));
      }
    }
    if (!absent.isEmpty()) {
      throw new DataException(table.source() + ":1: the header lacks " + type + " column" + (absent.size() == 1 ? " '" : "s '")
          + String.join("', '", absent) + "' that the spec's preprocess section declares; columns: " + String.join(", ", table.header()));
    }
    return out;
  }

  private static float number(String cell, Set<String> missing, CsvTable table, int line, String column) {
    String v = cell.trim();
    if (missing.contains(v)) {
      return Float.NaN;
    }
    double d;
    try {
      d = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      d = Double.NaN;
    }
    if (!Double.isFinite(d) || v.isEmpty() || !Character.isDigit(v.charAt(v.length() - 1)) && v.charAt(v.length() - 1) != '.') {
      throw new DataException(table.source() + ":" + line + ", column '" + column + "' (numeric): '" + v
          + "' is not a finite number nor a missing-value marker (" + markers(missing) + ")");
    }
    return (float) d;
  }

  private static String markers(Set<String> missing) {
    return missing.stream().sorted().map(m -> "'" + m + "'").reduce((a, b) -> a + ", " + b).orElse("none");
  }
}
