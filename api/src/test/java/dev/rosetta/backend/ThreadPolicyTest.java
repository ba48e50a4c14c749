package dev.rosetta.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The thread policy's op-size estimate and its choice for the examples. */
class ThreadPolicyTest {
  private static final CheckedSpec MLP = ModelSpec.builder().setInput(784)
      .dense("fc1", 128).relu("r1").dense("fc2", 64).relu("r2").dense("fc3", 10)
      .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.01)).optTraining(1, 64, 42, true).build();

  private static CheckedSpec example(String name) throws IOException {
    return SpecJson.read(Path.of("../examples/" + name + ".json"));
  }

  @Test
  void averagesEachLayersOutputValues() {
    assertEquals((128 + 128 + 64 + 64 + 10) / 5, ThreadPolicy.outputsPerLayer(MLP));
  }

  /** The choices measured fastest (docs/performance.md "Thread policy"), on 2 cores at batch 64. */
  @Test
  void theExamplesTrainWhereTheyWereMeasuredFastest() throws IOException {
    assertEquals(1, ThreadPolicy.intraOpThreads(example("seed-mlp"), 64, 2));
    CheckedSpec resnet = example("resnet-mini");
    assertEquals(2, ThreadPolicy.intraOpThreads(resnet, 64, 2));
    assertEquals(1, ThreadPolicy.intraOpThreads(resnet, 32, 2), "half the batch, ops half the size");
    assertEquals(2, ThreadPolicy.intraOpThreads(example("fashion-cnn"), 64, 2));
    assertEquals(2, ThreadPolicy.intraOpThreads(example("char-gpt"), 64, 2));
  }

  @Test
  void smallCallsStayOnOneThreadLargeOnesUseEveryCore() throws IOException {
    CheckedSpec fashion = example("fashion-cnn");
    assertEquals(8, ThreadPolicy.intraOpThreads(fashion, 64, 8));
    assertEquals(1, ThreadPolicy.intraOpThreads(fashion, 64, 1));
    assertEquals(1, ThreadPolicy.intraOpThreads(fashion, 1, 2), "one sample through the CNN is small");
    assertEquals(2, ThreadPolicy.intraOpThreads(fashion, 256, 2));
    assertEquals(2, ThreadPolicy.intraOpThreads(example("resnet-mini"), 256, 2));
    assertEquals(1, ThreadPolicy.intraOpThreads(MLP, 256, 2), "training the MLP at batch 256: fastest on one thread");
    assertEquals(1, ThreadPolicy.intraOpThreads(MLP, 1024, 2), "80,000 values a layer: still faster on one thread");
  }

  /** Predict calls, measured at 1 and 2 threads in turn on PyTorch (docs/performance.md "Thread policy"). */
  @Test
  void inferenceUsesEveryCoreFromSixteenSamples() throws IOException {
    assertEquals(1, ThreadPolicy.inferenceThreads(MLP, 8, 2), "the MLP at batch 8: 10 % slower on two threads");
    assertEquals(2, ThreadPolicy.inferenceThreads(MLP, 16, 2), "the MLP at batch 16: 33 % faster on two");
    assertEquals(2, ThreadPolicy.inferenceThreads(MLP, 256, 2), "though training at 256 stays on one");
    assertEquals(8, ThreadPolicy.inferenceThreads(MLP, 1024, 8));
    CheckedSpec resnet = example("resnet-mini");
    assertEquals(1, ThreadPolicy.inferenceThreads(resnet, 1, 2), "resnet-mini at batch 1: 13 % slower on two");
    assertEquals(2, ThreadPolicy.inferenceThreads(resnet, 256, 2));
    assertEquals(1, ThreadPolicy.inferenceThreads(example("fashion-cnn"), 1, 2));
    CheckedSpec gpt = example("char-gpt");
    assertEquals(1, ThreadPolicy.inferenceThreads(gpt, 1, 2), "one sequence through char-GPT: 35 % slower on two");
    assertEquals(2, ThreadPolicy.inferenceThreads(gpt, 16, 2), "sixteen: 35 % faster");
    assertEquals(1, ThreadPolicy.inferenceThreads(MLP, 256, 1), "one core, one thread");
  }
}
