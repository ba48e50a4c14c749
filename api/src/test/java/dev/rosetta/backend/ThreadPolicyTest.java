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
    ThreadPolicy torch = ThreadPolicy.PYTORCH;
    assertEquals(1, torch.trainingThreads(example("seed-mlp"), 64, 2));
    CheckedSpec resnet = example("resnet-mini");
    assertEquals(2, torch.trainingThreads(resnet, 64, 2));
    assertEquals(1, torch.trainingThreads(resnet, 32, 2), "half the batch, ops half the size");
    assertEquals(2, torch.trainingThreads(example("fashion-cnn"), 64, 2));
    assertEquals(2, torch.trainingThreads(example("char-gpt"), 64, 2));
    ThreadPolicy tf = ThreadPolicy.TENSORFLOW;
    assertEquals(1, tf.trainingThreads(example("seed-mlp"), 64, 2));
    assertEquals(1, tf.trainingThreads(resnet, 64, 2), "resnet-mini trains 1.2x faster on one TensorFlow thread");
    assertEquals(2, tf.trainingThreads(example("fashion-cnn"), 64, 2));
    assertEquals(2, tf.trainingThreads(example("char-gpt"), 64, 2));
  }

  @Test
  void smallCallsStayOnOneThreadLargeOnesUseEveryCore() throws IOException {
    ThreadPolicy torch = ThreadPolicy.PYTORCH;
    CheckedSpec fashion = example("fashion-cnn");
    assertEquals(8, torch.trainingThreads(fashion, 64, 8));
    assertEquals(1, torch.trainingThreads(fashion, 64, 1));
    assertEquals(1, torch.trainingThreads(fashion, 1, 2), "one sample through the CNN is small");
    assertEquals(2, torch.trainingThreads(fashion, 256, 2));
    assertEquals(2, torch.trainingThreads(example("resnet-mini"), 256, 2));
    assertEquals(1, torch.trainingThreads(MLP, 256, 2), "training the MLP at batch 256: fastest on one thread");
    assertEquals(1, torch.trainingThreads(MLP, 1024, 2), "80,000 values a layer: still faster on one thread");
  }

  /** Predict calls, measured at 1 and 2 threads in turn (docs/performance.md "Thread policy"). */
  @Test
  void pytorchInferenceUsesEveryCoreFromSixteenSamples() throws IOException {
    ThreadPolicy torch = ThreadPolicy.PYTORCH;
    assertEquals(1, torch.inferenceThreads(MLP, 8, 2), "the MLP at batch 8: 10 % slower on two threads");
    assertEquals(2, torch.inferenceThreads(MLP, 16, 2), "the MLP at batch 16: 33 % faster on two");
    assertEquals(2, torch.inferenceThreads(MLP, 256, 2), "though training at 256 stays on one");
    assertEquals(8, torch.inferenceThreads(MLP, 1024, 8));
    CheckedSpec resnet = example("resnet-mini");
    assertEquals(1, torch.inferenceThreads(resnet, 1, 2), "resnet-mini at batch 1: 13 % slower on two");
    assertEquals(2, torch.inferenceThreads(resnet, 256, 2));
    assertEquals(1, torch.inferenceThreads(example("fashion-cnn"), 1, 2));
    CheckedSpec gpt = example("char-gpt");
    assertEquals(1, torch.inferenceThreads(gpt, 1, 2), "one sequence through char-GPT: 35 % slower on two");
    assertEquals(2, torch.inferenceThreads(gpt, 16, 2), "sixteen: 35 % faster");
    assertEquals(1, torch.inferenceThreads(MLP, 256, 1), "one core, one thread");
  }

  @Test
  void tensorflowInferenceUsesEveryCoreFrom256Samples() throws IOException {
    ThreadPolicy tf = ThreadPolicy.TENSORFLOW;
    CheckedSpec fashion = example("fashion-cnn");
    CheckedSpec resnet = example("resnet-mini");
    assertEquals(1, tf.inferenceThreads(fashion, 1, 2), "fashion-cnn at batch 1: 4-5x slower on two");
    assertEquals(1, tf.inferenceThreads(fashion, 16, 2), "at 16: 1.7x slower");
    assertEquals(1, tf.inferenceThreads(resnet, 64, 2), "resnet-mini at 64: 6 % slower");
    assertEquals(2, tf.inferenceThreads(fashion, 256, 2), "at 256: 1.5-1.6x faster");
    assertEquals(2, tf.inferenceThreads(resnet, 256, 2), "1.4x faster");
    assertEquals(1, tf.inferenceThreads(MLP, 16, 2), "the MLP at 16: 7 % slower");
    assertEquals(2, tf.inferenceThreads(MLP, 1024, 2), "at 1024: 1.2x faster");
  }
}
