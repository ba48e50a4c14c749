package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The arrays one step (or one inference call) copies in from Java: its inputs, labels, dropout
 * masks and scalar constants, made in the step's scope over direct memory that is reused from
 * step to step.
 *
 * <p>DJL's {@code NDManager.create(float[])} copies into a new direct buffer each call, which
 * libtorch then aliases; the buffer is freed only when the garbage collector finds it
 * unreachable. A training step makes a dozen such arrays (fashion-cnn's dropout masks alone are
 * 434 kB a step), so with a large, quiet Java heap the C heap in use grew by about 100 kB a step
 * between collections, and allocating each buffer (zeroed, often freshly mapped) cost page
 * faults. Here the arrays are slices of one buffer, refilled each step.
 *
 * <p>libtorch aliases the memory, so an array made here must not outlive its step: {@link
 * #begin} hands out the same memory again. Every array is made in the scope given to {@link
 * #begin}, which the caller closes before the next step begins.
 */
final class StepMemory {
  /** Slices start on cache-line boundaries, as libtorch's own allocations do. */
  private static final int ALIGN = 64;

  private ByteBuffer buffer = allocate(1 << 16);
  private long address = address(buffer);
  private int used;
  private NDManager scope;

  /** Starts a step whose arrays live in {@code scope}, reusing the memory of the last one. */
  NDManager begin(NDManager scope) {
    this.scope = scope;
    this.used = 0;
    return scope;
  }

  /** The scope of the current step. */
  NDManager scope() {
    return scope;
  }

  /** A float32 array of {@code values}, shaped {@code shape}, in the step's scope. */
  NDArray floats(float[] values, Shape shape) {
    ByteBuffer b = take(4L * values.length);
    b.asFloatBuffer().put(values);
    return scope.create(b, shape, DataType.FLOAT32);
  }

  /** An int64 array of {@code values}, shaped {@code shape}, in the step's scope. */
  NDArray longs(long[] values, Shape shape) {
    ByteBuffer b = take(8L * values.length);
    b.asLongBuffer().put(values);
    return scope.create(b, shape, DataType.INT64);
  }

  /** A float32 scalar, to multiply by inside the autograd graph. */
  NDArray scalar(float value) {
    ByteBuffer b = take(4);
    b.putFloat(0, value);
    return scope.create(b, new Shape(), DataType.FLOAT32);
  }

  /**
   * The next {@code bytes} of the buffer, 64-byte aligned. When they do not fit, a buffer twice
   * as large replaces it; arrays already made this step keep the old one alive (DJL holds a
   * reference to it) until their scope closes, and later steps fit in the new one.
   */
  private ByteBuffer take(long bytes) {
    long start = align(used);
    if (start + bytes > buffer.capacity()) {
      buffer = allocate(Math.toIntExact(Math.max(2L * buffer.capacity(), bytes + ALIGN)));
      address = address(buffer);
      start = align(0);
    }
    used = Math.toIntExact(start + bytes);
    return buffer.slice((int) start, (int) bytes).order(ByteOrder.nativeOrder());
  }

  /** The first offset at or after {@code offset} whose address is a multiple of {@link #ALIGN}. */
  private long align(long offset) {
    long a = address + offset;
    return offset + (ALIGN - a % ALIGN) % ALIGN;
  }

  private static ByteBuffer allocate(int bytes) {
    return ByteBuffer.allocateDirect(bytes + ALIGN).order(ByteOrder.nativeOrder());
  }

  private static long address(ByteBuffer b) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(b));
  }
}
