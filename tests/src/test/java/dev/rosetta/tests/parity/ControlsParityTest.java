package dev.rosetta.tests.parity;

import static dev.rosetta.tests.parity.BackendParityTest.classification;
import static dev.rosetta.tests.parity.BackendParityTest.net;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.Backends;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Training;
import dev.rosetta.tests.parity.BackendParityTest.Case;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The training controls through the parity contract: each case trains on PyTorch and TensorFlow
 * from the same weights on the same batches (BackendParityTest's data and epochs) with one
 * control switched on, at a strength where it changes the trajectory.
 */
class ControlsParityTest {

  static ModelSpec.Builder mlp() {
    return net(8).dense("fc1", 32).relu("relu1").dense("fc2", 16).relu("relu2").dense("fc3", 4);
  }

  static Training training(double clipValue, double clipNorm) {
    return new Training(BackendParityTest.EPOCHS, BackendParityTest.BATCH, 1234, true, clipValue, clipNorm);
  }

  static Stream<Case> cases() {
    return Stream.of(
        classification("adamw, decoupled weight decay 0.1",
            mlp().setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.AdamW(0.01, 0.9, 0.999, 1e-8, 0.1)).build(), 4),
        classification("adam, keras variant, epsilon 1e-3 (large enough to matter)",
            mlp().setLoss(new Loss.CrossEntropy())
                .setOptimizer(new Optimizer.Adam(0.01, 0.9, 0.999, 1e-3, 0, Optimizer.Adam.Variant.KERAS)).build(), 4),
        classification("gradient clipping by global norm 0.5, sgd momentum",
            mlp().setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1, 0.9, 0, false)).build()
                .withTraining(training(0, 0.5)), 4),
        classification("gradient clipping by value 0.02, then by norm 1, adam",
            mlp().setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01)).build()
                .withTraining(training(0.02, 1)), 4),
        classification("label smoothing 0.2, sgd",
            mlp().setLoss(new Loss.CrossEntropy(0.2)).setOptimizer(new Optimizer.Sgd(0.1)).build(), 4));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void pytorchAndTensorflowMeetTheContract(Case c) {
    ParityReport r = new ParityRunner(c.spec(), c.train(), c.test(), Backends.get("pytorch"), Backends.get("tensorflow"))
        .optSteps(20).run();
    System.out.println("parity [" + c.name() + "] " + r.toJson());
    assertTrue(r.pass(), () -> c.name() + "\n" + r.toTable());
    assertTrue(r.weightsRelL2End() > 0, () -> "bit-identical runs are suspicious: " + r.toJson());
  }
}
