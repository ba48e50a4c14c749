package dev.rosetta.tabular;

import dev.rosetta.data.DataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file with a header line, as text cells: RFC 4180 quoting (a quoted field may hold commas,
 * line breaks and doubled quotes), LF or CRLF line ends, blank lines skipped. Nothing is typed
 * here; {@link RawRows} reads the columns a spec declares, so an error can name the column's
 * declared type. Each row keeps the file line it starts on, for messages.
 *
 * @param header the column names, trimmed
 * @param rows one array of cells per record, as many as the header has names
 * @param lines the 1-based file line each record starts on
 */
public record CsvTable(String source, List<String> header, List<String[]> rows, int[] lines) {

  public CsvTable {
    header = List.copyOf(header);
    rows = List.copyOf(rows);
  }

  public int size() {
    return rows.size();
  }

  /** The column's index in the header, or -1. */
  public int column(String name) {
    return header.indexOf(name);
  }

  public static CsvTable read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DataException("CSV file not found: " + file);
    } catch (IOException | UncheckedIOException e) {
      throw new DataException(file + ": cannot read as UTF-8 text: " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  /** Parses CSV text; {@code source} names it in messages. */
  public static CsvTable parse(String text, String source) {
    List<Record> records = new Parser(text, source).records();
    if (records.isEmpty()) {
      throw new DataException(source + ": empty CSV file (a header line is needed)");
    }
    Record head = records.get(0);
    List<String> header = new ArrayList<>();
    for (int i = 0; i < head.cells.size(); i++) {
      String name = head.cells.get(i).trim();
      if (header.contains(name)) {
        throw new DataException(source + ":" + head.line + ": the header names column '" + name + "' twice (columns "
            + (header.indexOf(name) + 1) + " and " + (i + 1) + ")");
      }
      header.add(name);
    }
    List<String[]> rows = new ArrayList<>();
    int[] lines = new int[records.size() - 1];
    for (int r = 1; r < records.size(); r++) {
      Record rec = records.get(r);
      if (rec.cells.size() != header.size()) {
        throw new DataException(source + ":" + rec.line + ": " + rec.cells.size() + " fields, but the header has "
            + header.size() + " (" + String.join(", ", header) + ")");
      }
      rows.add(rec.cells.toArray(new String[0]));
      lines[r - 1] = rec.line;
    }
    if (rows.isEmpty()) {
      throw new DataException(source + ": no data rows after the header");
    }
    return new CsvTable(source, header, rows, lines);
  }

  private record Record(int line, List<String> cells) {}

  /** A character-at-a-time reader of RFC 4180 records. */
  private static final class Parser {
    private final String text;
    private final String source;
    private int pos;
    private int line = 1;

    Parser(String text, String source) {
      // A byte-order mark is not part of the first column's name.
      this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
      this.source = source;
    }

    List<Record> records() {
      List<Record> out = new ArrayList<>();
      while (pos < text.length()) {
        int start = line;
        List<String> cells = record();
        boolean blank = cells.size() == 1 && cells.get(0).isBlank();
        if (!blank) {
          out.add(new Record(start, cells));
        }
      }
      return out;
    }

    /** One record, consuming its line end. */
    private List<String> record() {
      List<String> cells = new ArrayList<>();
      StringBuilder cell = new StringBuilder();
      boolean quoted = false;
      boolean wasQuoted = false;
      int quoteLine = line;
      while (pos < text.length()) {
        char c = text.charAt(pos++);
        if (quoted) {
          if (c == '"') {
            if (pos < text.length() && text.charAt(pos) == '"') {
              cell.append('"');
              pos++;
            } else {
              quoted = false;
            }
          } else {
            if (c == '\n') {
              line++;
            }
            cell.append(c);
          }
        } else if (c == '"' && cell.toString().isBlank() && !wasQuoted) {
          quoted = true;
          wasQuoted = true;
          quoteLine = line;
          cell.setLength(0);
        } else if (c == ',') {
          cells.add(cell.toString());
          cell.setLength(0);
          wasQuoted = false;
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && pos < text.length() && text.charAt(pos) == '\n') {
            pos++;
          }
          line++;
          cells.add(cell.toString());
          return cells;
        } else {
          cell.append(c);
        }
      }
      if (quoted) {
        throw new DataException(source + ":" + quoteLine + ": a quoted field is never closed");
      }
      cells.add(cell.toString());
      return cells;
    }
  }
}
