package dev.rosetta.backend;

/** Anything that maps a batch of inputs to outputs in evaluation mode. */
public interface InferenceModel extends AutoCloseable {

  /**
   * Runs {@code n} samples (row-major, the spec's input shape each) and returns the outputs,
   * row-major, {@code n * outputSize} values. Evaluation mode: dropout off.
   */
  float[] predict(float[] inputs, int n);

  /** The intra-op threads one call may use; 0 when the runtime chooses (unknown here). */
  default int intraOpThreads() {
    return 0;
  }

  @Override
  void close();
}
