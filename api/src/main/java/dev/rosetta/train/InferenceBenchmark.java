package dev.rosetta.train;

import dev.rosetta.backend.InferenceModel;
import dev.rosetta.spec.Shape;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times any {@link InferenceModel} the same way, so ONNX Runtime, PyTorch and TensorFlow figures
 * are comparable: batch-1 latency percentiles over many single calls, and throughput of large
 * batches. Warm-up calls come first and are not timed (first calls pay for allocation, kernel
 * selection and JIT compilation). Inputs are seeded, so every engine sees the same numbers.
 */
public final class InferenceBenchmark {
  private InferenceBenchmark() {}

  /**
   * @param warmup untimed calls before each measurement
   * @param latencyRuns timed batch-1 calls
   * @param throughputBatch samples per call when timing throughput
   * @param throughputRuns timed calls of {@code throughputBatch} samples
   */
  public record Options(int warmup, int latencyRuns, int throughputBatch, int throughputRuns) {
    public static final Options DEFAULT = new Options(200, 2000, 256, 200);

    public Options {
      if (warmup < 0 || latencyRuns < 1 || throughputBatch < 1 || throughputRuns < 1) {
        throw new IllegalArgumentException(
            "benchmark options need warmup >= 0 and runs, batch >= 1 (got " + warmup + ", "
                + latencyRuns + ", " + throughputBatch + ", " + throughputRuns + ")");
      }
    }
  }

  /**
   * @param p50Millis median batch-1 latency
   * @param p99Millis 99th percentile batch-1 latency (nearest rank)
   * @param meanMillis mean batch-1 latency
   * @param samplesPerSecond samples through the model per second at {@code throughputBatch}
   */
  public record Result(
      double p50Millis, double p99Millis, double meanMillis, int latencyRuns,
      int throughputBatch, int throughputRuns, double samplesPerSecond) {

    /** {@code batch-1 latency p50 0.051 ms, p99 0.090 ms (2000 runs); batch-256 throughput 812,345 samples/s}. */
    public String toText() {
      return String.format(Locale.ROOT,
          "batch-1 latency p50 %.3f ms, p99 %.3f ms, mean %.3f ms (%d runs); batch-%d throughput %,.0f samples/s (%d runs)",
          p50Millis, p99Millis, meanMillis, latencyRuns, throughputBatch, samplesPerSecond, throughputRuns);
    }
  }

  /**
   * Measures {@code model}, which reads samples of shape {@code input}.
   *
   * @param seed fixes the inputs
   */
  public static Result run(InferenceModel model, Shape input, Options options, long seed) {
    int size = (int) input.size();
    float[] one = randomInputs(size, seed);
    float[] many = randomInputs(size * options.throughputBatch(), seed + 1);

    for (int i = 0; i < options.warmup(); i++) {
      model.predict(one, 1);
    }
    long[] nanos = new long[options.latencyRuns()];
    for (int i = 0; i < nanos.length; i++) {
      long t0 = System.nanoTime();
      model.predict(one, 1);
      nanos[i] = System.nanoTime() - t0;
    }

    int batchWarmup = Math.max(1, options.warmup() / 10);
    for (int i = 0; i < batchWarmup; i++) {
      model.predict(many, options.throughputBatch());
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < options.throughputRuns(); i++) {
      model.predict(many, options.throughputBatch());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;

    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double mean = Arrays.stream(nanos).average().orElse(0);
    return new Result(
        percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6, mean / 1e6,
        options.latencyRuns(), options.throughputBatch(), options.throughputRuns(),
        (double) options.throughputRuns() * options.throughputBatch() / seconds);
  }

  /** Nearest-rank percentile of sorted values. */
  public static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /**
   * The benchmark's inputs: {@code (float) SplittableRandom(seed).nextDouble()}, n times (what
   * examples/python/plain_bench.py feeds the Python frameworks too).
   */
  public static float[] randomInputs(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextDouble();
    }
    return x;
  }
}
