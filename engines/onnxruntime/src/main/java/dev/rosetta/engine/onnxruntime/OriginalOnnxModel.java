package dev.rosetta.engine.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.converter.ImportedModel;
import dev.rosetta.converter.OnnxFileException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * The file an import came from, run as it is in ONNX Runtime but fed the imported spec's
 * samples: each batch is moved to the file's input layout (NHWC for a Keras export) and, when
 * the file fixes its batch size (torch.onnx without dynamic axes), run in chunks of that size.
 * It is the reference an import is verified against.
 */
final class OriginalOnnxModel implements InferenceModel {
  private final ImportedModel imported;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final int outputSize;

  private OriginalOnnxModel(ImportedModel imported, OrtEnvironment env, OrtSession session) {
    this.imported = imported;
    this.env = env;
    this.session = session;
    this.outputSize = imported.spec().outputSize();
  }

  static OriginalOnnxModel load(ImportedModel imported) throws IOException {
    Path file = imported.source();
    OrtEnvironment env = OrtSessionModel.environment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      return new OriginalOnnxModel(imported, env, env.createSession(file.toString(), options));
    } catch (OrtException e) {
      throw new OnnxFileException(file, "ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    long sample = imported.spec().input().size();
    InferenceModel.requireSamples(imported.spec().input(), inputs, n);
    float[] original = imported.inputLayout().toOriginal(inputs, n);
    int chunk = imported.exportBatch() > 0 ? imported.exportBatch() : n;
    float[] out = new float[n * outputSize];
    for (int start = 0; start < n; start += chunk) {
      int real = Math.min(chunk, n - start);
      float[] x = new float[(int) (chunk * sample)];
      for (int i = 0; i < chunk; i++) {
        // A fixed-batch file gets its last chunk filled up with copies of the last sample.
        int src = start + Math.min(i, real - 1);
        System.arraycopy(original, (int) (src * sample), x, (int) (i * sample), (int) sample);
      }
      float[] y = run(x, chunk);
      System.arraycopy(y, 0, out, start * outputSize, real * outputSize);
    }
    return out;
  }

  private float[] run(float[] x, int n) {
    long[] shape = imported.inputLayout().original().withBatch(n).dimsLong();
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
        OrtSession.Result r = session.run(Map.of(imported.inputName(), t))) {
      OnnxValue v = r.get(0);
      if (!(v instanceof OnnxTensor ot)) {
        throw new IllegalStateException(imported.source() + ": output is not a tensor but " + v.getInfo());
      }
      FloatBuffer fb = ot.getFloatBuffer();
      if (fb == null || fb.remaining() != (long) outputSize * n) {
        throw new IllegalStateException(imported.source() + ": ONNX Runtime returned " + ot.getInfo() + " for " + n
            + " samples, the imported spec gives " + outputSize + " values each");
      }
      float[] y = new float[fb.remaining()];
      fb.get(y);
      return y;
    } catch (OrtException e) {
      throw new IllegalStateException(imported.source() + ": ONNX Runtime inference failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(imported.source() + ": closing the ONNX Runtime session failed", e);
    }
  }
}
