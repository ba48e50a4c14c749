package dev.rosetta.backend;

/** Anything that maps a batch of inputs to outputs in evaluation mode. */
public interface InferenceModel extends AutoCloseable {

  /**
   * Runs {@code n} samples (row-major, the spec's input shape each) and returns the outputs,
   * row-major, {@code n * outputSize} values. Evaluation mode: dropout off.
   */
  float[] predict(float[] inputs, int n);

  @Override
  void close();
}
