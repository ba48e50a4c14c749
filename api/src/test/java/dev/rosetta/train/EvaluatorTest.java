package dev.rosetta.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.InferenceModel;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import org.junit.jupiter.api.Test;

/** The engine-neutral pieces of training: seeded dropout masks and the evaluator's loss. */
class EvaluatorTest {
  static final CheckedSpec SPEC =
      ModelSpec.builder().optName("tiny").setInput(1).dense("fc", 2)
          .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1))
          .optTraining(2, 4, 9, true).build();

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
    CheckedSpec s = SPEC;
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
  }}
