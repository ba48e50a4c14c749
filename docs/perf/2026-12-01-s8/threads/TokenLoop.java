import dev.rosetta.backend.*;
import dev.rosetta.spec.*;
import dev.rosetta.weights.*;
import java.nio.file.*;
import java.util.*;

/** A loop of predictTokens calls on one backend: samples/s and per-call p50 per round. Arguments: spec, backend, batch, seconds a round. */
public class TokenLoop {
  public static void main(String[] a) throws Exception {
    CheckedSpec spec = SpecJson.parse(Files.readString(Path.of(a[0])), a[0]);
    WeightSet w = Initializer.initialize(spec);
    int batch = Integer.parseInt(a[2]);
    double seconds = Double.parseDouble(a[3]);
    int length = (int) spec.input().dim(0);
    int[] tokens = new int[batch * length];
    Random r = new Random(2);
    for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(90);
    try (InferenceModel m = Backends.get(a[1]).inference(spec, w)) {
      for (int i = 0; i < 50; i++) m.predictTokens(tokens, batch, length);
      for (int round = 0; round < Integer.parseInt(System.getProperty("rounds", "3")); round++) {
        long n = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
        long[] ts = new long[200000]; int k = 0;
        while (System.nanoTime() < end) { long s = System.nanoTime(); m.predictTokens(tokens, batch, length); ts[k++] = System.nanoTime() - s; n += batch; }
        double el = (System.nanoTime() - t0) / 1e9;
        long[] c = Arrays.copyOf(ts, k); Arrays.sort(c);
        System.out.printf(Locale.ROOT, "%s batch %d: %.0f samples/s, p50 %.1f us, %d calls (call threads %d)%n", a[1], batch, n / el, c[k/2]/1e3, k, m.intraOpThreads(batch));
      }
    }
  }
}
