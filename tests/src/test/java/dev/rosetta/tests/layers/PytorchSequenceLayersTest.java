package dev.rosetta.tests.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.testkit.SyntheticData;
import dev.rosetta.testkit.TestSpecs;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import org.junit.jupiter.api.Test;

class PytorchSequenceLayersTest extends SequenceLayerCases {
  @Override
  Backend backend() {
    return Backends.get("pytorch");
  }

  /**
   * Two runs of the same steps give bit-identical weights while the garbage collector runs all
   * the time: a constant that libtorch keeps for the backward pass must not live in a Java
   * buffer the collector can free (DJL's {@code mul(Number)} does exactly that; it made char
   * models train differently from run to run and turn NaN). PyTorch only: the fault was in
   * DJL's PyTorch engine, and on TensorFlow the collector thread only made the test slow.
   */
  @Test
  void trainingIsBitIdenticalWhileTheCollectorRuns() throws InterruptedException {
    CheckedSpec spec = TestSpecs.tinyGpt(true, 0.2);
    Dataset data = SyntheticData.nextTokens(6, 11, 64, 3);
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread gc = new Thread(() -> {
      while (!stop.get()) {
        byte[][] churn = new byte[64][];
        for (int i = 0; i < churn.length; i++) {
          churn[i] = new byte[4096];
        }
        System.gc();
        // A pause between collections: back to back, the stop-the-world pauses left the
        // training thread a few per cent of the time (four minutes for 80 tiny steps); with it
        // collections still land inside most steps.
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    gc.setDaemon(true);
    gc.start();
    try {
      WeightSet a = trained(spec, data);
      WeightSet b = trained(spec, data);
      for (String name : a.names()) {
        assertArrayEquals(a.get(name).data(), b.get(name).data(), 0f, name);
      }
    } finally {
      stop.set(true);
      gc.join();
    }
  }

  private static WeightSet trained(CheckedSpec spec, Dataset data) {
    try (TrainableModel m = Backends.get("pytorch").create(spec, Initializer.initialize(spec))) {
      for (int step = 1; step <= 40; step++) {
        int from = (step - 1) % 8 * 8;
        assertTrue(Float.isFinite(m.trainStep(data.slice(from, from + 8), step)), "step " + step);
      }
      return m.weights();
    }
  }
}
