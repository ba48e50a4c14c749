package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.nio.file.*;
import java.util.*;
import org.tensorflow.*;
import org.tensorflow.types.TFloat32;

/** Where a batch-1 TF prediction spends its time: DJL path against a bare TF Java session. */
public class InferProbe {
  public static void main(String[] a) throws Exception {
    CheckedSpec spec = SpecJson.parse(Files.readString(Path.of(a[0])), a[0]);
    WeightSet w = Initializer.initialize(spec);
    int n = 1;
    int in = (int) spec.input().size();
    float[] x = new float[in * n];
    Random r = new Random(1);
    for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
    int calls = 20000;
    Path dir = Files.createTempDirectory("probe-sm");
    SavedModelExport.export(spec, w, dir, SavedModelExport.fastestFor(spec));
    try (DjlSavedModel djl = DjlSavedModel.open(spec, w, 1);
         SavedModelBundle b = SavedModelBundle.loader(dir.toString()).withTags("serve")
             .withConfigProto(TfTensors.sessionConfig(1)).load()) {
      Session s = b.session();
      String inName = null, outName = null;
      var sig = b.function("serving_default").signature();
      inName = sig.getInputs().get(sig.inputNames().iterator().next()).name;
      outName = sig.getOutputs().get(sig.outputNames().iterator().next()).name;
      System.out.println("feeds " + inName + " fetches " + outName);
      TFloat32 xt = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(n, in));
      for (int round = 0; round < 3; round++) {
        double djlP50 = time(calls, () -> djl.predict(x, n));
        final String fi = inName, fo = outName;
        double rawP50 = time(calls, () -> {
          xt.asRawTensor().data().asFloats().write(x);
          try (var res = s.runner().feed(fi, xt).fetch(fo).run()) {
            TFloat32 y = (TFloat32) res.get(0);
            float[] out = new float[(int) y.shape().size()];
            y.asRawTensor().data().asFloats().read(out);
          }
        });
        System.out.printf(Locale.ROOT, "round %d: djl p50 %.1f us, bare session p50 %.1f us%n", round, djlP50, rawP50);
      }
    }
  }

  static double time(int calls, Runnable r) {
    for (int i = 0; i < 2000; i++) r.run();
    long[] t = new long[calls];
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      r.run();
      t[i] = System.nanoTime() - t0;
    }
    Arrays.sort(t);
    return t[calls / 2] / 1000.0;
  }
}
