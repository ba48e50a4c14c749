package dev.rosetta.engine.onnxruntime;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.train.InferenceBenchmark;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Times an ONNX file in ONNX Runtime (through DJL, as {@code rosetta eval --backend onnxruntime}
 * runs it) with the engine-neutral {@link InferenceBenchmark}, so its figures compare directly
 * with a backend's {@code InferenceModel} timed by the same method.
 */
public final class OnnxBenchmark {
  private OnnxBenchmark() {}

  public static InferenceBenchmark.Result run(Path onnx, CheckedSpec spec, InferenceBenchmark.Options options)
      throws IOException {
    return run(onnx, spec, options, 0);
  }

  /** @param intraOpThreads threads per inference, 0 for ONNX Runtime's default (one per core) */
  public static InferenceBenchmark.Result run(
      Path onnx, CheckedSpec spec, InferenceBenchmark.Options options, int intraOpThreads) throws IOException {
    try (OnnxRuntimeModel model = OnnxRuntimeModel.load(onnx, spec, intraOpThreads)) {
      return InferenceBenchmark.run(model, spec.input(), options, spec.training().seed());
    }
  }
}
