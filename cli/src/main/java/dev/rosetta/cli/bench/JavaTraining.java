package dev.rosetta.cli.bench;

import dev.rosetta.data.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A training step in this JVM (Rosetta's model or a hand-written loop) on its own cycle of the
 * training batches: every Java contender sees the same batches in the same order.
 */
public final class JavaTraining implements Contender {
  /** Timed windows per round, as {@code rosetta bench} and plain_bench.py time them. */
  static final int WINDOWS = 6;

  private final String name;
  private final int threads;
  private final ToIntFunction<Batch> step;
  private final BatchCycle batches;
  private final AutoCloseable owned;

  /**
   * @param step trains on a batch and returns its sample count
   * @param owned closed with the contender (the model or loop), or null
   */
  public JavaTraining(String name, int threads, ToIntFunction<Batch> step, BatchCycle batches, AutoCloseable owned) {
    this.name = name;
    this.threads = threads;
    this.step = step;
    this.batches = batches;
    this.owned = owned;
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
      step.applyAsInt(batches.next());
    }
    long window = (long) (seconds / WINDOWS * 1e9);
    List<Double> rates = new ArrayList<>();
    long samples = 0;
    long nanos = 0;
    for (int w = 0; w < WINDOWS; w++) {
      long n = 0;
      long start = System.nanoTime();
      long elapsed;
      do {
        n += step.applyAsInt(batches.next());
        elapsed = System.nanoTime() - start;
      } while (elapsed < window);
      rates.add(n / (elapsed / 1e9));
      samples += n;
      nanos += elapsed;
    }
    return Measurement.training(samples / (nanos / 1e9), rates);
  }

  @Override
  public void close() {
    try (AutoCloseable o = owned; BatchCycle b = batches) {
      // closes both
    } catch (Exception e) {
      throw new IllegalStateException("closing " + name, e);
    }
  }
}
