package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 */
final class InferenceInput {
  private static final int ALIGN = 64;

  private final NDManager owner;
  private ByteBuffer memory;
  private NDArray array;

  InferenceInput(NDManager owner) {
    this.owner = owner;
  }

  /** {@code values} shaped {@code shape}, lent to {@code scope} until it closes. */
  NDArray fill(float[] values, Shape shape, NDManager scope) {
    if (array == null || !array.getShape().equals(shape)) {
      release();
      // Cache-line aligned, as libtorch's own allocations are (an aligned slice's capacity is a
      // whole number of lines).
      int bytes = Float.BYTES * values.length;
      memory = ByteBuffer.allocateDirect((bytes + ALIGN - 1) / ALIGN * ALIGN + ALIGN).alignedSlice(ALIGN)
          .order(ByteOrder.nativeOrder());
      memory.limit(bytes);
      array = owner.create(memory, shape, DataType.FLOAT32);
    }
    memory.clear();
    memory.asFloatBuffer().put(values);
    array.tempAttach(scope);
    return array;
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
