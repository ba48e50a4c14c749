package dev.rosetta.engine.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.rosetta.converter.OnnxInspector;
import dev.rosetta.converter.OnnxFileException;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.InferenceModel;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An ONNX file run by ONNX Runtime's own Java API, without DJL. The verifier uses this path so
 * that a check of the exported graph does not depend on DJL's tensor plumbing, and so that the
 * two paths can be compared with each other; {@code rosetta bench --compare --inference} times it
 * as ONNX Runtime used directly, the reference of the batch-1 latency target.
 */
public final class OrtSessionModel implements InferenceModel {
  private final Path file;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final CheckedSpec spec;
  private final Shape input;
  private final int outputSize;

  private OrtSessionModel(Path file, OrtEnvironment env, OrtSession session, CheckedSpec spec, Shape input, int outputSize) {
    this.file = file;
    this.spec = spec;
    this.env = env;
    this.session = session;
    this.inputName = session.getInputNames().iterator().next();
    this.input = input;
    this.outputSize = outputSize;
  }

  /**
   * Loads {@code file} after checking that its input and output fit {@code spec}, on ONNX
   * Runtime's default session options (its own thread pool).
   *
   * @throws OnnxFileException for a missing, non-ONNX or corrupt file, or one that does not fit
   *     the spec
   */
  public static OrtSessionModel load(Path file, CheckedSpec spec) throws IOException {
    ModelProto proto = OnnxInspector.read(file);
    int outputSize = OnnxSignature.check(file, proto, spec);
    OrtEnvironment env = environment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      return new OrtSessionModel(file, env, env.createSession(file.toString(), options), spec, spec.input(), outputSize);
    } catch (OrtException e) {
      throw new OnnxFileException(file, "ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  /** The process-wide environment ({@link OrtSessions#environment}). */
  static OrtEnvironment environment() {
    return OrtSessions.environment();
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    InferenceModel.requireSamples(input, inputs, n);
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs), input.withBatch(n).dimsLong())) {
      return run(x, n, outputSize);
    } catch (OrtException e) {
      throw new IllegalStateException(file + ": ONNX Runtime inference failed: " + e.getMessage(), e);
    }
  }

  /**
   * A direct buffer is read in place (ONNX Runtime's tensor over the caller's memory); see {@link
   * InferenceModel#predict(java.nio.ByteBuffer, int)}.
   */
  @Override
  public float[] predict(java.nio.ByteBuffer inputs, int n) {
    InferenceModel.requireSamples(input, inputs, n);
    try (OnnxTensor x = OnnxTensor.createTensor(
        env, inputs.slice().order(java.nio.ByteOrder.nativeOrder()), input.withBatch(n).dimsLong(), ai.onnxruntime.OnnxJavaType.FLOAT)) {
      return run(x, n, outputSize);
    } catch (OrtException e) {
      throw new IllegalStateException(file + ": ONNX Runtime inference failed: " + e.getMessage(), e);
    }
  }

  /** Token ids as an int64 {@code [n, length]} tensor. */
  @Override
  public float[] predictTokens(int[] tokens, int n, int length) {
    long[] wide = dev.rosetta.data.TokenRange.checkedIds(spec, tokens, n, length, "input");
    try (OnnxTensor x = OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(wide), new long[] {n, length})) {
      return run(x, n, spec.outputSize(length));
    } catch (OrtException e) {
      throw new IllegalStateException(file + ": ONNX Runtime inference failed: " + e.getMessage(), e);
    }
  }

  private float[] run(OnnxTensor x, int n, int perSample) throws OrtException {
    try (OrtSession.Result r = session.run(Map.of(inputName, x))) {
      OnnxValue v = r.get(0);
      if (!(v instanceof OnnxTensor t)) {
        throw new IllegalStateException(file + ": output is not a tensor but " + v.getInfo());
      }
      FloatBuffer fb = t.getFloatBuffer();
      if (fb == null || fb.remaining() != (long) perSample * n) {
        throw new IllegalStateException(
            file + ": ONNX Runtime returned " + t.getInfo() + " for " + n + " samples, expected " + perSample + " floats each");
      }
      float[] y = new float[fb.remaining()];
      fb.get(y);
      return y;
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(file + ": closing the ONNX Runtime session failed", e);
    }
  }
}
