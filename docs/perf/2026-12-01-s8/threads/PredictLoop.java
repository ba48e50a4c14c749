import dev.rosetta.backend.*;
import dev.rosetta.spec.*;
import dev.rosetta.weights.*;
import dev.rosetta.train.InferenceBenchmark;
import java.nio.file.*;
import java.util.*;

/**
 * A loop of predict calls on one backend: samples/s and per-call p50 and p10 per round of a few seconds. Arguments: spec, backend, batch, seconds a round.
 */
public class PredictLoop {
  public static void main(String[] a) throws Exception {
    CheckedSpec spec = SpecJson.parse(Files.readString(Path.of(a[0])), a[0]);
    WeightSet w = Initializer.initialize(spec);
    int batch = Integer.parseInt(a[2]);
    double seconds = Double.parseDouble(a[3]);
    try (InferenceModel m = Backends.get(a[1]).inference(spec, w)) {
      float[] many = InferenceBenchmark.randomInputs((int) spec.input().size() * batch, 2);
      for (int i = 0; i < 500; i++) m.predict(many, batch);
      for (int round = 0; round < Integer.parseInt(System.getProperty("rounds","3")); round++) {
        long n = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
        long[] ts = new long[200000]; int k = 0;
        while (System.nanoTime() < end) { long s = System.nanoTime(); m.predict(many, batch); ts[k++] = System.nanoTime() - s; n += batch; }
        double el = (System.nanoTime() - t0) / 1e9;
        long[] c = Arrays.copyOf(ts, k); Arrays.sort(c);
        System.out.printf(Locale.ROOT, "%s batch %d: %.0f samples/s, p50 %.1f us, p10 %.1f us, %d calls (threads %d)%n", a[1], batch, n / el, c[k/2]/1e3, c[k/10]/1e3, k, m.intraOpThreads());
      }
    }
  }
}
