package dev.rosetta.cli.bench;

import dev.rosetta.backend.InferenceModel;
import dev.rosetta.spec.Shape;
import dev.rosetta.train.InferenceBenchmark;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Inference in this JVM (a backend's inference face, ONNX Runtime), timed as plain_bench.py
 * times the Python frameworks: warm-up calls, then half the time in batch-1 calls (latency
 * percentiles, nearest rank) and half in large-batch calls (samples/s over six windows), on
 * the same seeded inputs as {@code InferenceBenchmark}. The inputs are made once, in direct
 * memory, and handed to {@link InferenceModel#predict(ByteBuffer, int)}, as the Python scripts
 * hand their NumPy arrays to the frameworks ({@code torch.from_numpy}): what is timed is the
 * call, not a copy from the Java heap.
 */
public final class JavaInference implements Contender {
  private final String name;
  private final int threads;
  private final InferenceModel model;
  private final ByteBuffer one;
  private final ByteBuffer many;
  private final int batch;

  public JavaInference(String name, int threads, InferenceModel model, Shape input, int batch, long seed) {
    this.name = name;
    this.threads = threads;
    this.model = model;
    this.batch = batch;
    int size = (int) input.size();
    this.one = direct(InferenceBenchmark.randomInputs(size, seed));
    this.many = direct(InferenceBenchmark.randomInputs(size * batch, seed + 1));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public Measurement measure(double seconds, int warmup) {
    for (int i = 0; i < warmup; i++) {
      model.predict(one, 1);
    }
    for (int i = 0; i < Math.max(1, warmup / 10); i++) {
      model.predict(many, batch);
    }
    Measurement latency = calls(model, one, 1, seconds / 2);
    Measurement throughput = calls(model, many, batch, seconds / 2);
    return new Measurement(throughput.samplesPerSecond(), throughput.windowRates(), latency.p50Millis(), latency.p99Millis());
  }

  /**
   * Calls {@code model.predict(inputs, n)} for about {@code seconds}, in {@link
   * JavaTraining#WINDOWS} windows: samples/s overall and per window, and the calls' latency
   * percentiles (nearest rank).
   */
  public static Measurement calls(InferenceModel model, ByteBuffer inputs, int n, double seconds) {
    long[] latencies = new long[1024];
    int calls = 0;
    long window = (long) (seconds / JavaTraining.WINDOWS * 1e9);
    List<Double> rates = new ArrayList<>();
    long samples = 0;
    long nanos = 0;
    for (int w = 0; w < JavaTraining.WINDOWS; w++) {
      long k = 0;
      long start = System.nanoTime();
      long elapsed;
      do {
        long t0 = System.nanoTime();
        model.predict(inputs, n);
        long t1 = System.nanoTime();
        if (calls == latencies.length) {
          latencies = Arrays.copyOf(latencies, 2 * calls);
        }
        latencies[calls++] = t1 - t0;
        k += n;
        elapsed = t1 - start;
      } while (elapsed < window);
      rates.add(k / (elapsed / 1e9));
      samples += k;
      nanos += elapsed;
    }
    long[] sorted = Arrays.copyOf(latencies, calls);
    Arrays.sort(sorted);
    return new Measurement(samples / (nanos / 1e9), rates, InferenceBenchmark.percentile(sorted, 50) / 1e6,
        InferenceBenchmark.percentile(sorted, 99) / 1e6);
  }

  /** {@code values} in a direct buffer of native byte order, position 0 to limit. */
  public static ByteBuffer direct(float[] values) {
    ByteBuffer b = ByteBuffer.allocateDirect(Float.BYTES * values.length).order(ByteOrder.nativeOrder());
    b.asFloatBuffer().put(values);
    return b;
  }

  @Override
  public void close() {
    model.close();
  }
}
