package dev.rosetta.cli.bench;

import ai.djl.engine.Engine;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.engine.onnxruntime.OnnxRuntimeModel;
import dev.rosetta.spec.CheckedSpec;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX Runtime used directly, through its own Java API: the runtime the inference targets measure
 * batch-1 latency against, as plain PyTorch is used directly in Python. One session with ONNX
 * Runtime's default options (its own thread pool); a call wraps the inputs in a tensor (ONNX
 * Runtime copies a heap array into native memory, as Rosetta's backends do), runs the session and
 * copies the output out. Rosetta's own ONNX face, {@link OnnxRuntimeModel}, goes through DJL's
 * engine and {@code Predictor}, which adds a few microseconds a call.
 */
public final class OrtSessionInference implements InferenceModel {
  private final CheckedSpec spec;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String input;

  public OrtSessionInference(Path onnx, CheckedSpec spec) throws OrtException {
    this.spec = spec;
    // DJL's engine owns the process's one ONNX Runtime environment (it sets its options when it
    // makes it), so it starts first and this session joins its environment.
    Engine.getEngine(OnnxRuntimeModel.ENGINE);
    this.env = OrtEnvironment.getEnvironment();
    this.session = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
    this.input = session.getInputNames().iterator().next();
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    InferenceModel.requireSamples(spec.input(), inputs.length, n);
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs), spec.input().withBatch(n).dimsLong());
        OrtSession.Result result = session.run(Map.of(input, x))) {
      FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
      float[] out = new float[y.remaining()];
      y.get(out);
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime could not run the model: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime could not close its session", e);
    }
  }
}
