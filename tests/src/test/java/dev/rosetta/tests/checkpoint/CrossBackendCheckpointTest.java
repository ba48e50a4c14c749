package dev.rosetta.tests.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.Batch;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A checkpoint is canonical weights, so it moves between backends: what one backend trained,
 * the other predicts identically and keeps training from, exactly as the first would have.
 */
class CrossBackendCheckpointTest {
  static final int FIRST_STEPS = 6;
  static final int MORE_STEPS = 10;
  static final int BATCH = 16;

  static final CheckedSpec SPEC =
      ModelSpec.builder()
          .setInput(2, 5)
          .flatten("flat")
          .dense("fc1", 24)
          .relu("relu1")
          .dropout("drop1", 0.25)
          .dense("fc2", 12)
          .tanh("tanh1")
          .dense("fc3", 3)
          .setLoss(new Loss.CrossEntropy())
          .setOptimizer(new Optimizer.Sgd(0.1, 0.9, 1e-4, false))
          .optTraining(1, BATCH, 99, true)
          .build();

  /**
   * The same with batch norm: the running statistics travel in the checkpoint and the target
   * backend's evaluation (prediction) uses them, so they must mean the same on both.
   */
  static final CheckedSpec BATCH_NORM_SPEC =
      ModelSpec.builder()
          .setInput(2, 5)
          .flatten("flat")
          .dense("fc1", 24)
          .add(new dev.rosetta.spec.Layer.BatchNorm("bn1", 0.3, 1e-3))
          .relu("relu1")
          .dense("fc2", 3)
          .setLoss(new Loss.CrossEntropy())
          .setOptimizer(new Optimizer.Sgd(0.1, 0.9, 1e-4, false))
          .optTraining(1, BATCH, 99, true)
          .build();

  static Dataset data(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 10];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(3);
      for (int k = 0; k < 10; k++) {
        x[i * 10 + k] = (float) ((k % 3 == y[i] ? 1.0 : 0.0) + r.nextDouble() - 0.5);
      }
    }
    return Dataset.classification(Shape.of(2, 5), x, y, "checkpoint-data");
  }

  /** Steps {@code first..last} (1-based, global) of the seeded batch order. */
  static float train(TrainableModel m, Dataset d, long first, long last) {
    int[] order = BatchOrder.forEpoch(d.size(), SPEC.training().seed(), 1, true);
    float loss = Float.NaN;
    for (long step = first; step <= last; step++) {
      int from = (int) (step - 1) * BATCH;
      Batch b = d.batch(order, from, from + BATCH);
      loss = m.trainStep(b, step);
      assertTrue(Float.isFinite(loss), m.backend() + " diverged at step " + step);
    }
    return loss;
  }

  @ParameterizedTest(name = "{2}: {0} -> {1}")
  @CsvSource({"tensorflow, pytorch, mlp", "pytorch, tensorflow, mlp",
      "tensorflow, pytorch, batch_norm", "pytorch, tensorflow, batch_norm"})
  void trainedOnOneBackendPredictsAndTrainsOnTheOther(String from, String to, String model, @TempDir Path tmp)
      throws Exception {
    CheckedSpec spec = model.equals("mlp") ? SPEC : BATCH_NORM_SPEC;
    Backend source = Backends.get(from);
    Backend target = Backends.get(to);
    Dataset d = data(FIRST_STEPS * BATCH + MORE_STEPS * BATCH, 5);
    Dataset probe = data(100, 6);
    Path file = tmp.resolve("model.safetensors");

    float[] sourcePrediction;
    WeightSet continuedOnSource;
    try (TrainableModel m = source.create(spec, Initializer.initialize(spec))) {
      train(m, d, 1, FIRST_STEPS);
      Checkpoint.save(file, spec, m.weights(),
          new Provenance(source.name(), source.versions(), 99, 0, FIRST_STEPS, java.util.Map.of()));
      sourcePrediction = m.predict(probe.features(), probe.size());
    }

    Checkpoint.Loaded ck = Checkpoint.load(file, spec);
    assertEquals(from, ck.backend());
    assertEquals(FIRST_STEPS, ck.step());
    // Optimizer state is not part of a checkpoint, so "continue" means a fresh optimizer on
    // both backends: the reference continuation is the source backend resumed from the file.
    try (TrainableModel resumed = source.create(spec, ck.weights())) {
      train(resumed, d, ck.step() + 1, ck.step() + MORE_STEPS);
      continuedOnSource = resumed.weights();
    }
    try (TrainableModel m = target.create(spec, ck.weights())) {
      assertEquals(ck.weights(), m.weights(), "weights must load bit-exactly");
      assertArrayEquals(sourcePrediction, m.predict(probe.features(), probe.size()), 1e-5f);
      float before = (float) dev.rosetta.train.Evaluator.evaluate(m, spec, d).loss();
      train(m, d, ck.step() + 1, ck.step() + MORE_STEPS);
      float after = (float) dev.rosetta.train.Evaluator.evaluate(m, spec, d).loss();
      assertTrue(after < before, "continuing on " + to + " must keep lowering the loss: " + before + " -> " + after);
      double drift = ParityRunner.relL2(continuedOnSource, m.weights());
      assertTrue(drift <= 1e-5, "continued on " + to + " vs on " + from + ": relative L2 " + drift);
    }
  }
}
