package dev.rosetta.engine.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * ONNX Runtime sessions made through its own Java API, for callers outside this module (the
 * Spark scorer opens one per partition from broadcast bytes). Every session in the process shares
 * the one environment DJL's engine creates, so DJL and direct sessions can live side by side.
 */
public final class OrtSessions {
  private OrtSessions() {}

  /**
   * The process-wide ONNX Runtime environment. DJL's engine creates it with its own threading
   * options and fails if it already exists, so DJL must always be the one to create it.
   */
  public static OrtEnvironment environment() {
    OnnxRuntimeModel.engine();
    return OrtEnvironment.getEnvironment();
  }

  /**
   * A session on a model held in memory.
   *
   * @param intraOpThreads threads one run may use; 0 for ONNX Runtime's default (one per core)
   */
  public static OrtSession open(byte[] model, int intraOpThreads) throws OrtException {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0 (got " + intraOpThreads + ")");
    }
    OrtEnvironment env = environment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      return env.createSession(model, options);
    }
  }
}
