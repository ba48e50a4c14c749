package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.nio.file.*;
import java.util.*;
import org.tensorflow.*;
import org.tensorflow.proto.*;
import org.tensorflow.types.TFloat32;

/**
 * Which nodes one inference call runs after TensorFlow's graph optimizers, with their own times
 * (full trace of every fifth call from the 100th), then the call's p50 on a bare session.
 * Arguments: spec, batch size. Lives in the engine's package to reach SavedModelExport.
 */
public class GraphProbe {
  public static void main(String[] a) throws Exception {
    CheckedSpec spec = SpecJson.parse(Files.readString(Path.of(a[0])), a[0]);
    WeightSet w = Initializer.initialize(spec);
    int n = Integer.parseInt(a[1]);
    int in = (int) spec.input().size();
    float[] x = new float[in * n];
    Random r = new Random(1);
    for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
    Path dir = Files.createTempDirectory("probe-sm");
    SavedModelExport.export(spec, w, dir, SavedModelExport.fastestFor(spec));
    try (SavedModelBundle b = SavedModelBundle.loader(dir.toString()).withTags("serve")
             .withConfigProto(TfTensors.sessionConfig(1)).load()) {
      Session s = b.session();
      var sig = b.function("serving_default").signature();
      String fi = sig.getInputs().get(sig.inputNames().iterator().next()).name;
      String fo = sig.getOutputs().get(sig.outputNames().iterator().next()).name;
      long[] dims = spec.input().withBatch(n).dimsLong();
      TFloat32 xt = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(dims));
      xt.asRawTensor().data().asFloats().write(x);
      RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      Map<String, long[]> byNode = new LinkedHashMap<>();
      int traced = 0;
      for (int i = 0; i < 600; i++) {
        boolean t = i >= 100 && i % 5 == 0;
        var runner = s.runner().feed(fi, xt).fetch(fo);
        if (t) runner.setOptions(trace);
        try (var res = t ? runner.runAndFetchMetadata() : runner.run()) {
          if (t) {
            traced++;
            for (DeviceStepStats d : res.getMetadata().get().getStepStats().getDevStatsList())
              for (NodeExecStats ns : d.getNodeStatsList())
                byNode.computeIfAbsent(ns.getNodeName() + " [" + TfOpProfile.opType(ns) + "]", k -> new long[2])[0] += ns.getAllEndRelMicros();
          }
        }
      }
      long total = 0;
      for (var e : byNode.entrySet()) total += e.getValue()[0];
      System.out.printf("%d nodes, %.1f us node time per call%n", byNode.size(), total / (double) traced);
      for (var e : byNode.entrySet()) System.out.printf("%8.1f  %s%n", e.getValue()[0] / (double) traced, e.getKey());
      long[] ts = new long[20000];
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < ts.length; i++) {
          long t0 = System.nanoTime();
          try (var res = s.runner().feed(fi, xt).fetch(fo).run()) {}
          ts[i] = System.nanoTime() - t0;
        }
        long[] c = ts.clone(); Arrays.sort(c);
        System.out.printf("round %d p50 %.1f us%n", round, c[c.length / 2] / 1000.0);
      }
    }
  }
}
