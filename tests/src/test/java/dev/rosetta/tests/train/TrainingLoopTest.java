package dev.rosetta.tests.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.TrainableModel;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.CheckpointWriter;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.testkit.FakeBackend;
import dev.rosetta.train.Evaluation;
import dev.rosetta.train.Evaluator;
import dev.rosetta.train.MetricsLog;
import dev.rosetta.train.TrainingDivergedException;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.weights.Initializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
  @TempDir Path dir;

  static final CheckedSpec SPEC =
      ModelSpec.builder().optName("tiny").setInput(1).dense("fc", 2)
          .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1))
          .optTraining(2, 4, 9, true).build();

  /** Ten samples whose single feature is their index. */
  static Dataset indexed() {
    float[] x = new float[10];
    int[] y = new int[10];
    for (int i = 0; i < 10; i++) {
      x[i] = i;
      y[i] = i % 2;
    }
    return Dataset.classification(Shape.of(1), x, y, "indexed");
  }

  private static TrainableModel model(FakeBackend fake) {
    return fake.create(SPEC, Initializer.initialize(SPEC));
  }

  @Test
  void visitsEverySampleOncePerEpochInTheSeededOrder() {
    FakeBackend fake = FakeBackend.named("recording");
    TrainingResult r;
    Evaluation direct;
    try (TrainableModel m = model(fake)) {
      r = new TrainingLoop(SPEC, indexed(), indexed()).run(m);
      direct = Evaluator.evaluate(m, SPEC, indexed());
    }
    assertEquals(6, r.steps());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), fake.steps());
    int[] order = BatchOrder.forEpoch(10, 9, 2, true);
    assertArrayEquals(new float[] {order[0], order[1], order[2], order[3]}, fake.batches().get(3).features());
    assertArrayEquals(new float[] {order[8], order[9]}, fake.batches().get(5).features());
    assertEquals(direct.accuracy(), r.test().accuracy(), "the epoch's evaluation is the evaluator's");
    // Epoch 2's mean loss, weighted by batch size.
    List<Float> l = fake.losses();
    assertEquals((4.0 * l.get(3) + 4.0 * l.get(4) + 2.0 * l.get(5)) / 10, r.trainLoss(), 1e-6);
  }

  @Test
  void stepsContinueFromAResumedRun() {
    FakeBackend fake = FakeBackend.named("recording");
    try (TrainableModel m = model(fake)) {
      new TrainingLoop(SPEC, indexed(), null).run(m, 100);
    }
    assertEquals(101L, fake.steps().get(0));
  }

  @Test
  void divergenceStopsAndKeepsTheLastGoodCheckpoint() throws IOException {
    FakeBackend fake = FakeBackend.named("recording").divergingFrom(5);
    TrainableModel m = model(fake);
    Path ckpt = dir.resolve("checkpoint.safetensors");
    CheckpointWriter writer = new CheckpointWriter(ckpt, SPEC, fake);
    Path metricsFile = dir.resolve("metrics.jsonl");
    TrainingDivergedException e;
    try (MetricsLog metrics = new MetricsLog(metricsFile)) {
      e = assertThrows(TrainingDivergedException.class,
          () -> new TrainingLoop(SPEC, indexed(), indexed()).addListener(metrics).addListener(writer).run(m));
    }
    assertEquals(2, e.epoch());
    assertEquals(5, e.step());
    assertTrue(e.getMessage().contains("loss is NaN at epoch 2, step 5"), e.getMessage());
    assertEquals(1, writer.savedEpoch());
    assertEquals("1", Checkpoint.load(ckpt, SPEC).metadata().get("epoch"));
    List<String> lines = Files.readAllLines(metricsFile);
    assertEquals("{\"epoch\":1,\"step\":1,\"loss\":" + (double) fake.losses().get(0) + "}", lines.get(0));
    assertTrue(lines.get(3).startsWith("{\"epoch\":1,\"step\":3,\"train_loss\":"), lines.get(3));
    assertTrue(lines.get(3).contains("\"test_accuracy\":"), lines.get(3));
  }
}
