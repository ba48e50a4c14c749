package dev.rosetta.tests.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.Backends;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.cli.bench.TfReferenceLoop;
import dev.rosetta.data.Batch;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.EpochBatches;
import dev.rosetta.data.IdxReader;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The hand-written TensorFlow Java loop {@code rosetta bench} compares against must do the work
 * of Rosetta's TensorFlow backend and no other: on the seed MLP and real images, step for step,
 * both give the same bits.
 */
class TfReferenceLoopTest {
  private static final Path SEED = Path.of(System.getProperty("rosetta.examplesDir", "../examples"), "seed-mlp.json");

  @Test
  void trainsTheSeedMlpToTheSameBitsAsRosettasTensorflowBackend() {
    CheckedSpec spec = SpecJson.read(SEED);
    WeightSet init = Initializer.initialize(spec);
    Dataset train = IdxReader.readEmbedded().train().reshapedTo(spec.input());
    try (TrainableModel rosetta = Backends.get("tensorflow").create(spec, init, Execution.threads(1));
        TfReferenceLoop hand = new TfReferenceLoop(spec, init, 1);
        EpochBatches batches = new EpochBatches(train, BatchOrder.forEpoch(train.size(), 42, 1, true), 64)) {
      for (int s = 1; s <= 30; s++) {
        Batch b = batches.next();
        float a = rosetta.trainStep(b, s);
        float h = hand.trainStep(b);
        assertEquals(Float.floatToIntBits(a), Float.floatToIntBits(h), "loss at step " + s);
      }
      WeightSet after = hand.weights();
      assertEquals(rosetta.weights(), after);
      assertNotEquals(init, after, "30 steps moved the weights");
    }
  }

  @Test
  void refusesWhatItCannotTrain() {
    CheckedSpec cnn = SpecJson.read(SEED.resolveSibling("fashion-cnn.json"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new TfReferenceLoop(cnn, Initializer.initialize(cnn), 1));
    assertTrue(e.getMessage().startsWith("the hand-written TensorFlow loop cannot train 'fashion-cnn': input shape"), e.getMessage());
    assertTrue(e.getMessage().contains("optimizer is not plain sgd"), e.getMessage());
  }
}
