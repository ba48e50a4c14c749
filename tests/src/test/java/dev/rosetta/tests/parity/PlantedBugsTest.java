package dev.rosetta.tests.parity;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.IdxReader;
import dev.rosetta.engine.pytorch.PlantedPytorchBugs;
import dev.rosetta.engine.tensorflow.PlantedTensorflowBugs;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The judge is not a rubber stamp: a backend with exactly one realistic mistake, trained in
 * lockstep with a correct one for one epoch on the embedded Fashion-MNIST subset, fails the
 * parity contract v2 with its noise floor on. Each case prints the first failing row, its value
 * and its bound or floor (the table in docs/parity.md).
 */
class PlantedBugsTest {
  static DataSplit data;

  @BeforeAll
  static void load() {
    data = IdxReader.readEmbedded();
  }

  /** 784 -> 64 -> (middle layers) -> 10, one epoch of batches of 64 (the last one 48). */
  static ModelSpec.Builder mlp() {
    return ModelSpec.builder().optName("planted").setInput(784).dense("fc1", 64)
        .setLoss(new Loss.CrossEntropy()).optTraining(1, 64, 7, true);
  }

  static CheckedSpec relu(Optimizer o) {
    return mlp().relu("relu1").dense("fc2", 32).relu("relu2").dense("fc3", 10).setOptimizer(o).build();
  }

  /** A bug planted in PyTorch, judged against TensorFlow. */
  static Arguments planted(String bug, Supplier<Backend> candidate, CheckedSpec spec) {
    return Arguments.of(bug, candidate, spec, "tensorflow");
  }

  static Stream<Arguments> bugs() {
    Optimizer adam = new Optimizer.Adam(0.001);
    Optimizer momentum = new Optimizer.Sgd(0.05, 0.9, 0, false);
    return Stream.of(
        planted("Adam: epsilon inside the square root", PlantedPytorchBugs::adamEpsilonInsideTheRoot, relu(adam)),
        planted("Adam: no bias correction", PlantedPytorchBugs::adamWithoutBiasCorrection, relu(adam)),
        planted("SGD momentum as an exponential average (dampening = momentum)", PlantedPytorchBugs::momentumAsAnAverage,
            relu(momentum)),
        planted("Nesterov asked, plain momentum done", PlantedPytorchBugs::nesterovAsPlainMomentum,
            relu(new Optimizer.Sgd(0.05, 0.9, 0, true))),
        planted("weight decay decoupled instead of added to the gradient", PlantedPytorchBugs::decoupledWeightDecay,
            relu(new Optimizer.Sgd(0.05, 0.9, 5e-3, false))),
        planted("dropout masks of the previous step", PlantedPytorchBugs::dropoutMasksOfThePreviousStep,
            mlp().relu("relu1").dropout("drop1", 0.3).dense("fc2", 10).setOptimizer(new Optimizer.Sgd(0.05)).build()),
        planted("batch norm: biased running variance", PlantedPytorchBugs::batchNormBiasedRunningVariance,
            mlp().batchNorm("bn1").relu("relu1").dense("fc2", 10).setOptimizer(momentum).build()),
        planted("batch norm: momentum convention inverted", PlantedPytorchBugs::batchNormMomentumInverted,
            mlp().batchNorm("bn1").relu("relu1").dense("fc2", 10).setOptimizer(momentum).build()),
        planted("GELU: tanh form where the exact one is asked", PlantedPytorchBugs::geluTanhForExact,
            mlp().gelu("gelu1").dense("fc2", 10).setOptimizer(new Optimizer.Sgd(0.05)).build()),
        planted("learning rate 1 % low (a rounded constant)", PlantedPytorchBugs::learningRateOnePercentLow,
            relu(new Optimizer.Sgd(0.1))),
        planted("loss: last, partial batch averaged over the full batch size",
            PlantedPytorchBugs::lastBatchAveragedOverTheFullBatchSize, relu(new Optimizer.Sgd(0.1))),
        Arguments.of("TensorFlow: variable updates not ordered after all gradients",
            (Supplier<Backend>) PlantedTensorflowBugs::updatesNotOrderedAfterGradients, relu(new Optimizer.Sgd(0.1)),
            "pytorch"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bugs")
  void theJudgeFailsAPlantedBug(String bug, Supplier<Backend> candidate, CheckedSpec spec, String referenceName) {
    Backend reference = Backends.get(referenceName);
    ParityRunner runner = new ParityRunner(spec, data.train().reshapedTo(spec.input()),
        data.test().reshapedTo(spec.input()), reference, candidate.get());
    ParityReport r;
    try {
      r = runner.run();
    } catch (IllegalStateException refused) {
      // A mistake the backend itself detects while building the model (TensorFlow's check that
      // every update waits for every gradient) never gets to train.
      System.out.println(String.format(Locale.ROOT, "PLANTED | %s | refused at construction | - | %s |", bug,
          refused.getMessage()));
      return;
    }
    ParityReport.Check first = r.checks().stream().filter(c -> !c.pass()).findFirst().orElse(null);
    System.out.println(String.format(Locale.ROOT, "PLANTED | %s | %s | %s | %s |", bug,
        first == null ? "none" : first.name(), first == null ? "-" : String.format(Locale.ROOT, "%.2e", first.value()),
        first == null ? "-" : first.verdict()));
    assertFalse(r.pass(), bug + " passed the judge:\n" + r.toTable());
  }
}
