package dev.rosetta.tests.parity;

import static dev.rosetta.tests.parity.BackendParityTest.classification;
import static dev.rosetta.tests.parity.BackendParityTest.net;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.Backends;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.Augmentation;
import dev.rosetta.spec.LayerOptions;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Monitor;
import dev.rosetta.spec.Schedule;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Training;
import dev.rosetta.tests.parity.BackendParityTest.Case;
import java.util.List;
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
            mlp().setLoss(new Loss.CrossEntropy(0.2)).setOptimizer(new Optimizer.Sgd(0.1)).build(), 4),
        classification("first layer frozen, second at lr x 0.3, l1 and l2 penalties on the last, adam with weight decay",
            mlp().freeze("fc1").configure("fc2", LayerOptions.DEFAULT.withLrMultiplier(0.3))
                .configure("fc3", LayerOptions.DEFAULT.withPenalties(1e-3, 1e-2))
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01, 0.9, 0.999, 1e-8, 1e-3)).build(), 4),
        BackendParityTest.sequences("sequence model: frozen embedding, attention at lr x 0.5, l2 on the head, label 9"
                + " ignored (ignore_index), adamw",
            BackendParityTest.tokens(8).embedding("tok", 10, 16).positionEmbedding("pos", 8).layerNorm("ln1")
                .attention("attn", 4, true).addOf("res", "attn", "pos").layerNorm("lnf").dense("head", 10)
                .freeze("tok").configure("attn", LayerOptions.DEFAULT.withLrMultiplier(0.5))
                .configure("head", LayerOptions.DEFAULT.withPenalties(0, 1e-2))
                .setLoss(Loss.CrossEntropy.ignoring(9)).setOptimizer(new Optimizer.AdamW(0.01, 0.9, 0.999, 1e-8, 0.01)).build(),
            false),
        classification("frozen batch norms: one in inference mode, one in training mode; sgd momentum",
            net(8).dense("fc1", 16).batchNorm("bn1").relu("relu1").dense("fc2", 16).batchNorm("bn2").relu("relu2").dense("fc3", 4)
                .freeze("bn1").configure("bn2", LayerOptions.frozen().withFrozenMode(LayerOptions.FrozenMode.TRAINING))
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.05, 0.9, 0, false)).build(), 4),
        classification("step schedule every epoch x 0.3, sgd momentum",
            mlp().setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.2, 0.9, 0, false))
                .optTraining(base().withSchedule(new Schedule.Step(1, 0.3))).build(), 4),
        classification("cosine to 1e-3 after 8 warm-up steps, adamw",
            mlp().setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.AdamW(0.02, 0.9, 0.999, 1e-8, 0.01))
                .optTraining(base().withSchedule(new Schedule.Cosine(1e-3, 8, 0))).build(), 4),
        classification("reduce_on_plateau on test loss (factor 0.5, patience 0, min_delta 0.5: it fires), sgd",
            mlp().setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1))
                .optTraining(base().withSchedule(
                    new Schedule.ReduceOnPlateau("val_loss", Monitor.Mode.AUTO, 0.5, 0, 0, 0, 0.5))).build(), 4),
        classification("augmentation: random crop, flip, reflect-translate of 2x6x6 images; conv net, sgd momentum",
            net(2, 6, 6).conv2d("conv1", 4, 3).relu("relu1").flatten("flat").dense("fc1", 3)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.05, 0.9, 0, false))
                .optTraining(base().withAugmentation(List.of(new Augmentation.RandomCrop(1), new Augmentation.HorizontalFlip(0.5),
                    new Augmentation.RandomTranslate(1, Augmentation.Fill.REFLECT)))).build(), 3));
  }

  static Training base() {
    return new Training(BackendParityTest.EPOCHS, BackendParityTest.BATCH, 1234, true);
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
