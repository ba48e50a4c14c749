package dev.rosetta.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.Batch;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
  @TempDir Path dir;

  static final ModelSpec SPEC =
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

  /** Records what the loop feeds it; loss is 1/step, or NaN from a given step on. */
  static final class RecordingModel implements TrainableModel {
    final List<float[]> batches = new ArrayList<>();
    final List<Long> steps = new ArrayList<>();
    long nanFrom = Long.MAX_VALUE;

    @Override
    public float trainStep(Batch batch, long step) {
      batches.add(batch.features());
      steps.add(step);
      return step >= nanFrom ? Float.NaN : 1f / step;
    }

    @Override
    public float[] predict(float[] inputs, int n) {
      float[] out = new float[2 * n];
      for (int i = 0; i < n; i++) {
        out[2 * i + ((int) inputs[i] % 2)] = 1; // always right
      }
      return out;
    }

    @Override
    public ModelSpec spec() {
      return SPEC;
    }

    @Override
    public String backend() {
      return "recording";
    }

    @Override
    public WeightSet gradients(Batch batch, long step) {
      throw new UnsupportedOperationException();
    }

    @Override
    public WeightSet weights() {
      return Initializer.initialize(SPEC);
    }

    @Override
    public void close() {}
  }

  static final Backend RECORDING =
      new Backend() {
        @Override
        public String name() {
          return "recording";
        }

        @Override
        public Map<String, String> versions() {
          return Map.of();
        }

        @Override
        public List<dev.rosetta.spec.SpecIssue> unsupported(ModelSpec spec) {
          return List.of();
        }

        @Override
        public TrainableModel create(ModelSpec spec, WeightSet weights) {
          return new RecordingModel();
        }
      };

  @Test
  void visitsEverySampleOncePerEpochInTheSeededOrder() {
    RecordingModel m = new RecordingModel();
    TrainingResult r = new TrainingLoop(SPEC, indexed(), indexed()).run(m);
    assertEquals(6, r.steps());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), m.steps);
    int[] order = BatchOrder.forEpoch(10, 9, 2, true);
    assertArrayEquals(new float[] {order[0], order[1], order[2], order[3]}, m.batches.get(3));
    assertArrayEquals(new float[] {order[8], order[9]}, m.batches.get(5));
    assertEquals(1.0, r.test().accuracy());
    // Epoch 2's mean loss, weighted by batch size: (4/4 + 4/5 + 2/6) / 10.
    assertEquals((4.0 / 4 + 4.0 / 5 + 2.0 / 6) / 10, r.trainLoss(), 1e-6);
  }

  @Test
  void stepsContinueFromAResumedRun() {
    RecordingModel m = new RecordingModel();
    new TrainingLoop(SPEC, indexed(), null).run(m, 100);
    assertEquals(101L, m.steps.get(0));
  }

  @Test
  void divergenceStopsAndKeepsTheLastGoodCheckpoint() throws IOException {
    RecordingModel m = new RecordingModel();
    m.nanFrom = 5;
    Path ckpt = dir.resolve("checkpoint.safetensors");
    CheckpointWriter writer = new CheckpointWriter(ckpt, SPEC, RECORDING);
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
    assertEquals("{\"epoch\":1,\"step\":1,\"loss\":1.0}", lines.get(0));
    assertTrue(lines.get(3).startsWith("{\"epoch\":1,\"step\":3,\"train_loss\":"), lines.get(3));
    assertTrue(lines.get(3).contains("\"test_accuracy\":1.0"), lines.get(3));
  }

  @Test
  void dropoutMasksAreSeededAndScaled() {
    float[] a = DropoutMasks.mask(42, 7, "drop1", 10_000, 0.25);
    assertArrayEquals(a, DropoutMasks.mask(42, 7, "drop1", 10_000, 0.25));
    assertTrue(!java.util.Arrays.equals(a, DropoutMasks.mask(42, 8, "drop1", 10_000, 0.25)));
    int dropped = 0;
    for (float v : a) {
      assertTrue(v == 0f || v == (float) (1 / 0.75), "value " + v);
      dropped += v == 0f ? 1 : 0;
    }
    assertEquals(2500, dropped, 150);
  }

  @Test
  void evaluatorComputesCrossEntropyAndAccuracy() {
    ModelSpec s = SPEC;
    Dataset d = Dataset.classification(Shape.of(1), new float[] {0, 1}, new int[] {0, 1}, "two");
    InferenceModel fixed = new InferenceModel() {
      @Override
      public float[] predict(float[] inputs, int n) {
        return new float[] {2, 0, 2, 0}; // both predict class 0
      }

      @Override
      public void close() {}
    };
    Evaluation e = Evaluator.evaluate(fixed, s, d);
    double l0 = Math.log(1 + Math.exp(-2));
    double l1 = Math.log(1 + Math.exp(2));
    assertEquals((l0 + l1) / 2, e.loss(), 1e-9);
    assertEquals(0.5, e.accuracy());
  }
}
