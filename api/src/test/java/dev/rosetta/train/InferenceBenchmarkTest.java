package dev.rosetta.train;

import dev.rosetta.backend.InferenceModel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.spec.Shape;
import org.junit.jupiter.api.Test;

class InferenceBenchmarkTest {

  @Test
  void nearestRankPercentiles() {
    long[] sorted = new long[100];
    for (int i = 0; i < 100; i++) {
      sorted[i] = i + 1;
    }
    assertEquals(50, InferenceBenchmark.percentile(sorted, 50));
    assertEquals(99, InferenceBenchmark.percentile(sorted, 99));
    assertEquals(7, InferenceBenchmark.percentile(new long[] {7}, 99));
  }

  /** A model that sleeps a known time per call: the figures must reflect it. */
  @Test
  void measuresWhatTheModelCosts() {
    int[] calls = new int[2];
    InferenceModel slow = new InferenceModel() {
      @Override
      public float[] predict(float[] inputs, int n) {
        assertEquals(n * 3, inputs.length);
        calls[n == 1 ? 0 : 1]++;
        long until = System.nanoTime() + 200_000L * (n == 1 ? 1 : 4);
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        return new float[n];
      }

      @Override
      public void close() {}
    };
    var r = InferenceBenchmark.run(slow, Shape.of(3), new InferenceBenchmark.Options(10, 50, 8, 20), 1);
    assertEquals(60, calls[0], "warm-up plus timed batch-1 calls");
    assertEquals(1 + 20, calls[1], "warm-up plus timed batch calls");
    assertTrue(r.p50Millis() >= 0.2 && r.p50Millis() < 5, r.toText());
    assertTrue(r.p99Millis() >= r.p50Millis(), r.toText());
    // 8 samples per 0.8 ms at most: 10,000 samples/s.
    assertTrue(r.samplesPerSecond() <= 10_000 && r.samplesPerSecond() > 500, r.toText());
  }

  @Test
  void refusesEmptyRuns() {
    assertThrows(IllegalArgumentException.class, () -> new InferenceBenchmark.Options(0, 0, 1, 1));
  }
}
