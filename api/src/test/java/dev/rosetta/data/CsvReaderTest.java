package dev.rosetta.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.spec.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
  @TempDir Path dir;

  Path csv(String text) throws IOException {
    Path p = dir.resolve("d.csv");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void headerAndNamedLabelColumn() throws IOException {
    Dataset d = CsvReader.read(csv("a,label,b\n1.5,2,3\n4,0,5.25\n"), null);
    assertEquals(Shape.of(2), d.sampleShape());
    assertArrayEquals(new float[] {1.5f, 3f, 4f, 5.25f}, d.features());
    assertArrayEquals(new int[] {2, 0}, d.labels());
  }

  @Test
  void lastColumnWithoutHeader() throws IOException {
    Dataset d = CsvReader.read(csv("1,2,1\n3,4,0\n"), null);
    assertArrayEquals(new int[] {1, 0}, d.labels());
    assertArrayEquals(new float[] {1, 2, 3, 4}, d.features());
  }

  @Test
  void chosenColumnAndRegressionTargets() throws IOException {
    Dataset d = CsvReader.read(csv("y,x1,x2\n0.5,1,2\n-1.25,3,4\n"), "y");
    assertNull(d.labels());
    assertArrayEquals(new float[] {0.5f, -1.25f}, d.targets());
    assertEquals(2, d.size());
  }

  @Test
  void badValueNamesLineAndColumn() throws IOException {
    DataException e = assertThrows(DataException.class, () -> CsvReader.read(csv("a,b,label\n1,2,0\n1,x,1\n"), null));
    assertTrue(e.getMessage().endsWith("d.csv:3, column 2 ('b'): not a number: 'x'"), e.getMessage());
  }

  @Test
  void wrongFieldCountAndEmptyFile() throws IOException {
    DataException e = assertThrows(DataException.class, () -> CsvReader.read(csv("1,2,0\n1,2\n"), null));
    assertTrue(e.getMessage().endsWith("d.csv:2: 2 fields, expected 3"), e.getMessage());
    e = assertThrows(DataException.class, () -> CsvReader.read(csv("\n\n"), null));
    assertTrue(e.getMessage().contains("empty CSV file"), e.getMessage());
    e = assertThrows(DataException.class, () -> CsvReader.read(csv("a,b,label\n"), null));
    assertTrue(e.getMessage().contains("no data rows"), e.getMessage());
    e = assertThrows(DataException.class, () -> CsvReader.read(csv("a,b\n1,2\n"), "c"));
    assertTrue(e.getMessage().contains("no column named 'c' (columns: a, b)"), e.getMessage());
  }

  @Test
  void dataSourcesFindCsvFolders() throws IOException {
    Files.writeString(dir.resolve("train.csv"), "x,label\n1,0\n2,1\n");
    Files.writeString(dir.resolve("test.csv"), "x,label\n3,1\n");
    DataSplit s = DataSources.load(dir, null);
    assertEquals(2, s.train().size());
    assertEquals(1, s.test().size());
    DataException e = assertThrows(DataException.class, () -> DataSources.load(dir.resolve("nothing"), null));
    assertTrue(e.getMessage().contains("data not found"), e.getMessage());
  }
}
