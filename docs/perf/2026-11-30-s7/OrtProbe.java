import ai.onnxruntime.*;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.engine.onnxruntime.OnnxRuntimeModel;
import dev.rosetta.spec.*;
import dev.rosetta.train.InferenceBenchmark;
import dev.rosetta.weights.*;
import java.nio.FloatBuffer;
import java.nio.file.*;
import java.util.*;

/** ONNX Runtime at batch 1: through DJL's OnnxRuntime engine (as bench --compare runs it) and through ORT's own Java API. */
public class OrtProbe {
  public static void main(String[] a) throws Exception {
    CheckedSpec spec = SpecJson.parse(Files.readString(Path.of(a[0])), a[0]);
    WeightSet w = Initializer.initialize(spec);
    Path onnx = Files.createTempFile("probe", ".onnx");
    OnnxExport.export(spec, w, Map.of(), onnx);
    int batch = Integer.parseInt(a[1]);
    float[] x = InferenceBenchmark.randomInputs((int) spec.input().size() * batch, 1);
    long[] dims = spec.input().withBatch(batch).dimsLong();
    try (InferenceModel djl = OnnxRuntimeModel.load(onnx, spec, 0)) {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
      String in = s.getInputNames().iterator().next();
      for (int round = 0; round < 3; round++) {
        double d = time(() -> djl.predict(x, batch));
        double r = time(() -> {
          try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
               OrtSession.Result res = s.run(Map.of(in, t))) {
            FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
          } catch (OrtException e) { throw new RuntimeException(e); }
        });
        System.out.printf(Locale.ROOT, "%s batch %d round %d: DJL OnnxRuntime p50 %.1f us, ORT Java API p50 %.1f us%n", spec.name(), batch, round, d, r);
      }
      s.close();
    }
  }
  static double time(Runnable r) {
    for (int i = 0; i < 2000; i++) r.run();
    long[] t = new long[10000];
    for (int i = 0; i < t.length; i++) { long s = System.nanoTime(); r.run(); t[i] = System.nanoTime() - s; }
    Arrays.sort(t); return t[t.length / 2] / 1e3;
  }
}
