package dev.rosetta.spec;

import java.util.Arrays;
import java.util.stream.Collectors;

/** A tensor shape without the batch axis (or with it, where a caller says so). Immutable. */
public final class Shape {
  private final int[] dims;

  private Shape(int[] dims) {
    this.dims = dims.clone();
  }

  public static Shape of(int... dims) {
    return new Shape(dims);
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int axis) {
    return dims[axis < 0 ? dims.length + axis : axis];
  }

  public int[] dims() {
    return dims.clone();
  }

  public long[] dimsLong() {
    return Arrays.stream(dims).asLongStream().toArray();
  }

  /** Number of elements. */
  public long size() {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  /** This shape with a new last axis. */
  public Shape withLast(int last) {
    int[] d = dims.clone();
    d[d.length - 1] = last;
    return new Shape(d);
  }

  /** This shape with a leading batch axis. */
  public Shape withBatch(int batch) {
    int[] d = new int[dims.length + 1];
    d[0] = batch;
    System.arraycopy(dims, 0, d, 1, dims.length);
    return new Shape(d);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code [1, 28, 28]}. */
  @Override
  public String toString() {
    return Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
  }
}
