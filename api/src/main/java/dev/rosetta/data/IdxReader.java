package dev.rosetta.data;

import dev.rosetta.spec.Shape;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed (detected from the
 * content, not the name). Images become float32 in [0, 1], labels ints.
 */
public final class IdxReader {
  private static final int UBYTE = 0x08;

  private IdxReader() {}

  /** The four standard file names, looked up with and without {@code .gz}. */
  public static final List<String> FILES =
      List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  public static boolean looksLikeIdxDir(Path dir) {
    return Files.isDirectory(dir) && find(dir, FILES.get(0)) != null;
  }

  /** Reads the train and test split from a folder in the MNIST layout. */
  public static DataSplit readDirectory(Path dir) {
    Path[] files = new Path[4];
    for (int i = 0; i < 4; i++) {
      files[i] = find(dir, FILES.get(i));
      if (files[i] == null) {
        throw new DataException(
            dir + ": missing " + FILES.get(i) + "[.gz]; an IDX data folder needs " + String.join(", ", FILES) + " (raw or .gz)");
      }
    }
    try {
      Dataset train = read(files[0], files[1]);
      Dataset test = read(files[2], files[3]);
      return new DataSplit(train, test);
    } catch (IOException e) {
      throw new DataException(dir + ": " + e.getMessage(), e);
    }
  }

  /** Reads the embedded Fashion-MNIST subset shipped with Rosetta. */
  public static DataSplit readEmbedded() {
    String base = "/dev/rosetta/data/fashion-mnist-subset/";
    try {
      Dataset train = read(open(base + FILES.get(0) + ".gz"), base + FILES.get(0), open(base + FILES.get(1) + ".gz"), base + FILES.get(1));
      Dataset test = read(open(base + FILES.get(2) + ".gz"), base + FILES.get(2), open(base + FILES.get(3) + ".gz"), base + FILES.get(3));
      return new DataSplit(train, test);
    } catch (IOException e) {
      throw new DataException("embedded Fashion-MNIST subset: " + e.getMessage(), e);
    }
  }

  private static InputStream open(String resource) throws IOException {
    InputStream in = IdxReader.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("resource " + resource + " is missing from the rosetta-api jar");
    }
    return in;
  }

  static Path find(Path dir, String name) {
    for (String candidate : new String[] {name + ".gz", name}) {
      Path p = dir.resolve(candidate);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  public static Dataset read(Path images, Path labels) throws IOException {
    try (InputStream im = Files.newInputStream(images);
        InputStream lb = Files.newInputStream(labels)) {
      return read(im, images.toString(), lb, labels.toString());
    }
  }

  static Dataset read(InputStream images, String imagesName, InputStream labels, String labelsName)
      throws IOException {
    Images im = readImages(images, imagesName);
    int[] lb = readLabels(labels, labelsName);
    if (lb.length != im.count()) {
      throw new DataException(imagesName + " has " + im.count() + " images but " + labelsName + " has " + lb.length + " labels");
    }
    return Dataset.classification(im.shape(), im.pixels(), lb, imagesName);
  }

  /** Images of one file: {@code count} samples of {@code shape}, in [0, 1]. */
  public record Images(int count, Shape shape, float[] pixels) {}

  public static Images readImages(InputStream raw, String name) throws IOException {
    try (DataInputStream in = new DataInputStream(decompress(raw, name))) {
      int[] dims = header(in, name, 3);
      long n = (long) dims[0] * dims[1] * dims[2];
      if (n > Integer.MAX_VALUE) {
        throw new DataException(name + ": " + n + " pixels is too many");
      }
      byte[] bytes = new byte[(int) n];
      readFully(in, bytes, name);
      float[] px = new float[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        px[i] = (bytes[i] & 0xff) / 255f;
      }
      return new Images(dims[0], Shape.of(dims[1], dims[2]), px);
    }
  }

  public static int[] readLabels(InputStream raw, String name) throws IOException {
    try (DataInputStream in = new DataInputStream(decompress(raw, name))) {
      int[] dims = header(in, name, 1);
      byte[] bytes = new byte[dims[0]];
      readFully(in, bytes, name);
      int[] labels = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        labels[i] = bytes[i] & 0xff;
      }
      return labels;
    }
  }

  private static InputStream decompress(InputStream raw, String name) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
      } catch (ZipException e) {
        throw new DataException(name + ": corrupt gzip stream (" + e.getMessage() + ")", e);
      }
    }
    return in;
  }

  private static int[] header(DataInputStream in, String name, int expectedDims) throws IOException {
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      throw new DataException(name + ": empty or truncated file (no IDX header)");
    }
    int type = (magic >>> 8) & 0xff;
    int ndims = magic & 0xff;
    if ((magic >>> 16) != 0 || type != UBYTE) {
      throw new DataException(
          name + ": not an IDX file of unsigned bytes (magic 0x" + Integer.toHexString(magic) + ", expected 0x0000080" + expectedDims + ")");
    }
    if (ndims != expectedDims) {
      throw new DataException(name + ": IDX file has " + ndims + " dimensions, expected " + expectedDims + (expectedDims == 3 ? " (images)" : " (labels)"));
    }
    int[] dims = new int[ndims];
    for (int i = 0; i < ndims; i++) {
      try {
        dims[i] = in.readInt();
      } catch (EOFException e) {
        throw new DataException(name + ": truncated IDX header");
      }
      if (dims[i] <= 0) {
        throw new DataException(name + ": IDX dimension " + i + " is " + dims[i]);
      }
    }
    return dims;
  }

  private static void readFully(DataInputStream in, byte[] bytes, String name) throws IOException {
    int off = 0;
    try {
      while (off < bytes.length) {
        int r = in.read(bytes, off, bytes.length - off);
        if (r < 0) {
          break;
        }
        off += r;
      }
    } catch (EOFException | ZipException e) {
      throw new DataException(name + ": truncated or corrupt after " + off + " of " + bytes.length + " data bytes (" + e.getMessage() + ")", e);
    }
    if (off < bytes.length) {
      throw new DataException(name + ": truncated: the header promises " + bytes.length + " data bytes, the file has " + off);
    }
  }
}
