package dev.rosetta.backend;

import dev.rosetta.data.Batch;
import dev.rosetta.spec.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Anything that maps a batch of inputs to outputs in evaluation mode. */
public interface InferenceModel extends AutoCloseable {

  /**
   * Runs {@code n} samples (row-major, the spec's input shape each) and returns the outputs,
   * row-major, {@code n * outputSize} values. Evaluation mode: dropout off. For a spec whose
   * input is float32.
   */
  float[] predict(float[] inputs, int n);

  /**
   * Runs {@code n} samples read from {@code inputs}: float32 values in native byte order
   * ({@code buffer.order(ByteOrder.nativeOrder())}), row-major, from the buffer's position to its
   * limit, which must hold exactly {@code n} samples. The buffer's position is not moved. This
   * is the call for inputs that already live outside the Java heap: the PyTorch backend and ONNX
   * Runtime read a direct buffer in place, without the copy {@link #predict(float[], int)} makes,
   * as {@code torch.from_numpy} does; TensorFlow copies it once into its own tensor. Keep the
   * values unchanged until the call returns. Any other buffer is copied first.
   *
   * @throws IllegalArgumentException for a buffer in the other byte order or of the wrong size
   */
  default float[] predict(ByteBuffer inputs, int n) {
    requireNativeOrder(inputs);
    if (inputs.remaining() % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "the input buffer holds " + inputs.remaining() + " bytes between position and limit, not whole float32 values");
    }
    float[] values = new float[inputs.remaining() / Float.BYTES];
    floats(inputs).get(values);
    return predict(values, n);
  }

  /**
   * The check every inference face makes before a run: {@code inputs} holds {@code n} whole
   * samples of {@code input}, as {@link #predict(float[], int)} takes them.
   *
   * @throws IllegalArgumentException naming both counts
   */
  static void requireSamples(Shape input, float[] inputs, int n) {
    long want = input.size() * n;
    if (inputs.length != want) {
      throw new IllegalArgumentException(
          n + " samples of shape " + input + " need " + want + " values, got " + inputs.length);
    }
  }

  /**
   * The check {@link #predict(ByteBuffer, int)} makes: native byte order, and {@code n} whole
   * samples of {@code input} between position and limit.
   *
   * @throws IllegalArgumentException naming the order or both sizes
   */
  static void requireSamples(Shape input, ByteBuffer inputs, int n) {
    requireNativeOrder(inputs);
    long want = input.size() * n * Float.BYTES;
    if (inputs.remaining() != want) {
      throw new IllegalArgumentException(n + " samples of shape " + input + " need " + want
          + " bytes (float32) between the buffer's position and limit, got " + inputs.remaining());
    }
  }

  private static void requireNativeOrder(ByteBuffer inputs) {
    if (inputs.order() != ByteOrder.nativeOrder()) {
      throw new IllegalArgumentException("the input buffer is " + inputs.order()
          + ": float32 inputs are read in native byte order; set buffer.order(ByteOrder.nativeOrder())");
    }
  }

  /** The float32 values between {@code inputs}' position and limit, without moving its position. */
  static java.nio.FloatBuffer floats(ByteBuffer inputs) {
    return inputs.duplicate().order(inputs.order()).asFloatBuffer();
  }

  /** The intra-op threads one call may use; 0 when the runtime chooses (unknown here). */
  default int intraOpThreads() {
    return 0;
  }

  /**
   * The intra-op threads a call of {@code batch} samples may use, for backends that choose per
   * call; 0 when the runtime chooses.
   */
  default int intraOpThreads(int batch) {
    return intraOpThreads();
  }

  /**
   * Runs {@code n} sequences of {@code length} int64 token ids (row-major; {@code length} at
   * most the spec's input length) and returns the outputs for that length, row-major: for an
   * output {@code [T, C]}, {@code n * length * C} values. For a spec whose input is int64.
   *
   * @throws dev.rosetta.data.DataException for an id outside an embedding's vocabulary or a
   *     sequence longer than the model takes
   */
  default float[] predictTokens(int[] tokens, int n, int length) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not take token ids");
  }

  /** The outputs for a batch's inputs, whichever they are (float features or token ids). */
  default float[] predict(Batch batch) {
    return batch.tokens() != null
        ? predictTokens(batch.tokens(), batch.size(), batch.length())
        : predict(batch.features(), batch.size());
  }

  @Override
  void close();
}
