package dev.rosetta.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.spec.Shape;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  static byte[] idx(int magic, int[] dims, byte[] body) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(bo);
    o.writeInt(magic);
    for (int d : dims) {
      o.writeInt(d);
    }
    o.write(body);
    return bo.toByteArray();
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bo = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
      g.write(b);
    }
    return bo.toByteArray();
  }

  /** Three 2x2 images with pixel values 0..11 and labels 7, 0, 9. */
  void writeSplit(boolean gz) throws IOException {
    byte[] px = new byte[12];
    for (int i = 0; i < 12; i++) {
      px[i] = (byte) (i == 11 ? 255 : i);
    }
    byte[] images = idx(0x00000803, new int[] {3, 2, 2}, px);
    byte[] labels = idx(0x00000801, new int[] {3}, new byte[] {7, 0, 9});
    for (String prefix : new String[] {"train", "t10k"}) {
      Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + (gz ? ".gz" : "")), gz ? gzip(images) : images);
      Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + (gz ? ".gz" : "")), gz ? gzip(labels) : labels);
    }
  }

  @Test
  void readsRawAndGzipAlike() throws IOException {
    writeSplit(false);
    DataSplit raw = IdxReader.readDirectory(dir);
    for (Path p : Files.list(dir).toList()) {
      Files.delete(p);
    }
    writeSplit(true);
    DataSplit gz = IdxReader.readDirectory(dir);
    for (DataSplit s : new DataSplit[] {raw, gz}) {
      assertEquals(3, s.train().size());
      assertEquals(Shape.of(2, 2), s.train().sampleShape());
      assertArrayEquals(new int[] {7, 0, 9}, s.train().labels());
      assertEquals(1f / 255, s.train().features()[1]);
      assertEquals(1f, s.train().features()[11]);
      assertEquals(10, s.test().classCount());
    }
  }

  @Test
  void badMagicIsRejected() throws IOException {
    writeSplit(false);
    Files.write(dir.resolve("train-images-idx3-ubyte"), idx(0x00000d03, new int[] {3, 2, 2}, new byte[48]));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readDirectory(dir));
    assertTrue(e.getMessage().contains("not an IDX file of unsigned bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
  }

  @Test
  void truncatedDataIsRejected() throws IOException {
    writeSplit(false);
    byte[] full = Files.readAllBytes(dir.resolve("train-images-idx3-ubyte"));
    Files.write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(full, full.length - 5));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readDirectory(dir));
    assertTrue(e.getMessage().contains("truncated: the header promises 12 data bytes, the file has 7"), e.getMessage());
  }

  @Test
  void truncatedGzipIsRejected() throws IOException {
    writeSplit(true);
    byte[] full = Files.readAllBytes(dir.resolve("train-images-idx3-ubyte.gz"));
    Files.write(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(full, full.length / 2));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readDirectory(dir));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
  }

  @Test
  void emptyFileAndCountMismatch() throws IOException {
    writeSplit(false);
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x00000801, new int[] {2}, new byte[] {1, 2}));
    DataException e = assertThrows(DataException.class, () -> IdxReader.readDirectory(dir));
    assertTrue(e.getMessage().contains("has 3 images but"), e.getMessage());
    Files.write(dir.resolve("t10k-labels-idx1-ubyte"), new byte[0]);
    e = assertThrows(DataException.class, () -> IdxReader.readDirectory(dir));
    assertTrue(e.getMessage().contains("empty or truncated file"), e.getMessage());
  }

  @Test
  void missingFileNamesWhatIsNeeded() {
    DataException e = assertThrows(DataException.class, () -> IdxReader.readDirectory(dir));
    assertTrue(e.getMessage().contains("missing train-images-idx3-ubyte[.gz]"), e.getMessage());
  }

  @Test
  void embeddedSubsetIsFashionMnist() {
    DataSplit s = IdxReader.readEmbedded();
    assertEquals(6000, s.train().size());
    assertEquals(1000, s.test().size());
    assertEquals(Shape.of(28, 28), s.train().sampleShape());
    assertEquals(10, s.train().classCount());
    // First Fashion-MNIST training label is 9 (ankle boot), first test label 9 too.
    assertEquals(9, s.train().labels()[0]);
    assertEquals(9, s.test().labels()[0]);
  }

  @Test
  void reshapeChecksTheValueCount() {
    Dataset d = IdxReader.readEmbedded().test();
    assertEquals(Shape.of(784), d.reshapedTo(Shape.of(784)).sampleShape());
    DataException e = assertThrows(DataException.class, () -> d.reshapedTo(Shape.of(3, 32, 32)));
    assertTrue(e.getMessage().contains("do not fit the spec input [3, 32, 32]"), e.getMessage());
  }
}
