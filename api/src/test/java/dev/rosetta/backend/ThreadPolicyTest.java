package dev.rosetta.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import org.junit.jupiter.api.Test;

/** The thread policy's work estimate and its choice for the examples' shapes. */
class ThreadPolicyTest {
  private static final CheckedSpec MLP = ModelSpec.builder().setInput(784)
      .dense("fc1", 128).relu("r1").dense("fc2", 64).relu("r2").dense("fc3", 10)
      .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.01)).optTraining(1, 64, 42, true).build();

  /** fashion-cnn's weight layers: two padded 3x3 convs with batch norm, pooled, and a dense head. */
  private static final CheckedSpec CNN = ModelSpec.builder().setInput(1, 28, 28)
      .conv2d("c1", 16, 3).batchNorm("bn1").relu("r1").maxPool2d("p1", 2)
      .conv2d("c2", 32, 3).batchNorm("bn2").relu("r2").maxPool2d("p2", 2)
      .flatten("f").dense("fc1", 128).relu("r3").dense("fc2", 10)
      .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.01)).optTraining(1, 64, 42, true).build();

  @Test
  void countsEachWeightOncePerOutputPosition() {
    assertEquals(784 * 128 + 128 * 64 + 64 * 10, ThreadPolicy.multiplyAddsPerSample(MLP));
    long conv1 = 16 * 9 * 26 * 26; // unpadded: 26 x 26 output positions
    long conv2 = 32 * 16 * 9 * 11 * 11;
    long dense = 32 * 5 * 5 * 128 + 128 * 10;
    assertEquals(conv1 + conv2 + dense, ThreadPolicy.multiplyAddsPerSample(CNN), "batch norm scales are left out");
  }

  @Test
  void smallStepsStayOnOneThreadLargeOnesUseEveryCore() {
    assertEquals(1, ThreadPolicy.intraOpThreads(MLP, 64, 2), "the seed MLP at batch 64: 7 million multiply-adds");
    assertEquals(2, ThreadPolicy.intraOpThreads(CNN, 64, 2));
    assertEquals(8, ThreadPolicy.intraOpThreads(CNN, 64, 8));
    assertEquals(1, ThreadPolicy.intraOpThreads(CNN, 1, 2), "one sample through the CNN is small");
    assertEquals(2, ThreadPolicy.intraOpThreads(MLP, 256, 2), "the MLP at batch 256 does 28 million");
    assertEquals(1, ThreadPolicy.intraOpThreads(CNN, 64, 1));
  }

  @Test
  void aForwardPassNeedsThreeTimesTheWorkOfATrainingStepForEveryCore() {
    assertEquals(1, ThreadPolicy.inferenceThreads(MLP, 256, 2), "the MLP at batch 256: 28 million, below 50");
    assertEquals(2, ThreadPolicy.inferenceThreads(MLP, 1024, 2), "the MLP at batch 1024: 112 million");
    assertEquals(2, ThreadPolicy.inferenceThreads(CNN, 256, 2));
    assertEquals(1, ThreadPolicy.inferenceThreads(CNN, 1, 2));
    assertEquals(1, ThreadPolicy.inferenceThreads(CNN, 256, 1));
  }
}
