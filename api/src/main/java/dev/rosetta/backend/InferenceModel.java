package dev.rosetta.backend;

import dev.rosetta.data.Batch;
import dev.rosetta.spec.Shape;

/** Anything that maps a batch of inputs to outputs in evaluation mode. */
public interface InferenceModel extends AutoCloseable {

  /**
   * Runs {@code n} samples (row-major, the spec's input shape each) and returns the outputs,
   * row-major, {@code n * outputSize} values. Evaluation mode: dropout off. For a spec whose
   * input is float32.
   */
  float[] predict(float[] inputs, int n);

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
