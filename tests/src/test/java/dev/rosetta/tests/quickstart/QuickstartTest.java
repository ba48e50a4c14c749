package dev.rosetta.tests.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.DataSplit;
import dev.rosetta.data.IdxReader;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.weights.Initializer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java quickstart, kept compiling and working. */
class QuickstartTest {
  @TempDir Path dir;

  @Test
  void readmeGraphQuickstart() {
    CheckedSpec residual = ModelSpec.builder()
        .setInput(8, 14, 14)
        .conv2d("c1", 8, 1).batchNorm("bn1").relu("r1")
        .conv2d("c2", 8, 1).batchNorm("bn2")
        .addOf("sum", "bn2", ModelSpec.INPUT)
        .relu("out").globalAvgPool2d("gap").dense("fc", 10)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(new Optimizer.Sgd(0.05, 0.9, 0, false))
        .build();
    assertTrue(residual.spec().isGraph());
    assertEquals(java.util.List.of("bn2", ModelSpec.INPUT), residual.spec().inputsOf(5));
    assertEquals(residual, SpecJson.parse(SpecJson.write(residual), "round trip"));
    try (TrainableModel model = Backends.get("tensorflow").create(residual, Initializer.initialize(residual))) {
      float[] x = new float[2 * 8 * 14 * 14];
      java.util.Arrays.fill(x, 0.5f);
      assertEquals(20, model.predict(x, 2).length);
    }
  }

  @Test
  void readmeJavaQuickstart() throws Exception {
    CheckedSpec spec = ModelSpec.builder()
        .optName("seed-mlp")
        .setInput(784)
        .dense("fc1", 128).relu("relu1")
        .dense("fc2", 64).relu("relu2")
        .dense("fc3", 10)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(new Optimizer.Sgd(0.01))
        .optTraining(1, 64, 42, true)
        .build();
    // The builder and examples/seed-mlp.json describe the same network.
    assertEquals(SpecJson.read(Path.of("../examples/seed-mlp.json")).withTraining(spec.training()), spec);

    DataSplit data = IdxReader.readEmbedded();
    Backend backend = Backends.get("pytorch");
    Path file = dir.resolve("seed.safetensors");
    TrainingResult r;
    try (TrainableModel model = backend.create(spec, Initializer.initialize(spec))) {
      r = new TrainingLoop(spec, data.train().reshapedTo(spec.input()),
                           data.test().reshapedTo(spec.input())).run(model);
      Checkpoint.save(file, spec, model.weights(),
          new Provenance(backend.name(), backend.versions(), 42, r.epochs(), r.steps(), Map.of()));
    }
    assertEquals(94, r.steps());
    // One SGD epoch at lr 0.01 on 6,000 images is early training: better than chance, loss below ln 10.
    assertTrue(r.test().accuracy() > 0.15, "accuracy " + r.test().accuracy());
    assertTrue(r.trainLoss() < Math.log(10), "train loss " + r.trainLoss());
    assertEquals("pytorch", Checkpoint.load(file, spec).backend());
  }
}
