package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rosetta.backend.InferenceModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The float input array of inference calls: one libtorch tensor over direct memory of its own,
 * kept while the batch shape stays the same and refilled each call. Making the array anew each
 * call (libtorch's {@code from_blob}, the shape through JNI, DJL's bookkeeping of a new array)
 * took about a fifth of a batch-1 call's CPU on the seed MLP. The array belongs to the model's
 * manager; a call lends it to its own scope ({@link NDArray#tempAttach}), so the arrays the
 * forward pass makes from it land in that scope and close with it, and the input goes back to
 * the model. Not for concurrent calls (the model's {@code predict} is not).
 *
 * <p>A caller's direct buffer is not copied at all: the tensor is made over the caller's memory
 * ({@code from_blob}, as {@code torch.from_numpy} does) and kept while the same buffer comes back
 * with the same window and shape, which is how a caller that refills one buffer calls.
 */
final class InferenceInput {
  private static final int ALIGN = 64;

  private final NDManager owner;
  private ByteBuffer memory;
  private NDArray array;
  /** The tensor over the last caller's direct buffer, that buffer, and the window it covers. */
  private NDArray wrapped;
  private ByteBuffer wrappedSource;
  private int wrappedPosition;
  private int wrappedLimit;

  InferenceInput(NDManager owner) {
    this.owner = owner;
  }

  /** {@code values} shaped {@code shape}, lent to {@code scope} until it closes. */
  NDArray fill(float[] values, Shape shape, NDManager scope) {
    own(shape, values.length).asFloatBuffer().put(values);
    return lend(array, scope);
  }

  /**
   * The float32 values of {@code values} (native order, position to limit) shaped {@code shape},
   * lent to {@code scope} until it closes: over the caller's memory when the buffer is direct,
   * else copied into this input's own.
   */
  NDArray fill(ByteBuffer values, Shape shape, NDManager scope) {
    if (!values.isDirect()) {
      own(shape, values.remaining() / Float.BYTES).asFloatBuffer().put(InferenceModel.floats(values));
      return lend(array, scope);
    }
    if (wrapped == null || wrappedSource != values || wrappedPosition != values.position()
        || wrappedLimit != values.limit() || !wrapped.getShape().equals(shape)) {
      releaseWrapped();
      wrapped = owner.create(values.slice().order(ByteOrder.nativeOrder()), shape, DataType.FLOAT32);
      wrappedSource = values;
      wrappedPosition = values.position();
      wrappedLimit = values.limit();
    }
    return lend(wrapped, scope);
  }

  /** This input's own memory for {@code count} floats shaped {@code shape}, cleared for a fill. */
  private ByteBuffer own(Shape shape, int count) {
    if (array == null || !array.getShape().equals(shape)) {
      release();
      // Cache-line aligned, as libtorch's own allocations are (an aligned slice's capacity is a
      // whole number of lines).
      int bytes = Float.BYTES * count;
      memory = ByteBuffer.allocateDirect((bytes + ALIGN - 1) / ALIGN * ALIGN + ALIGN).alignedSlice(ALIGN)
          .order(ByteOrder.nativeOrder());
      memory.limit(bytes);
      array = owner.create(memory, shape, DataType.FLOAT32);
    }
    memory.clear();
    return memory;
  }

  private static NDArray lend(NDArray a, NDManager scope) {
    a.tempAttach(scope);
    return a;
  }

  private void releaseWrapped() {
    if (wrapped != null) {
      wrapped.close();
      wrapped = null;
      wrappedSource = null;
    }
  }

  /** Frees the array of the last shape; the model's manager frees the current one when it closes. */
  private void release() {
    if (array != null) {
      array.close();
      array = null;
      memory = null;
    }
  }
}
