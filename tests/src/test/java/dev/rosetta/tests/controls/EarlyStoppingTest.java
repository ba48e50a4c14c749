package dev.rosetta.tests.controls;

import static dev.rosetta.tests.controls.ResumeTest.ok;
import static dev.rosetta.tests.controls.ResumeTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping on a fixture built to overfit (a wide MLP, 256 training images, a high rate):
 * the validation loss bottoms out within a few epochs and climbs, and both backends stop at the
 * same epoch with the same best epoch, keep best.safetensors, and restore its weights.
 */
class EarlyStoppingTest {
  @TempDir Path dir;

  static final String OVERFIT = """
      {"format": "rosetta/v1", "name": "overfit", "input": {"shape": [784]},
       "layers": [{"type": "dense", "name": "fc1", "units": 256}, {"type": "relu", "name": "relu1"},
                  {"type": "dense", "name": "fc2", "units": 10}],
       "loss": {"type": "cross_entropy"}, "optimizer": {"type": "sgd", "learning_rate": 0.1, "momentum": 0.9},
       "training": {"epochs": 40, "batch_size": 32, "seed": 3, "shuffle": true,
                    "early_stopping": {"monitor": "val_loss", "patience": 3, "restore_best_weights": true}}}
      """;

  record Outcome(List<String> history, JsonNode evaluation, Checkpoint.Loaded best, Checkpoint.Loaded last, String out) {}

  Outcome train(String backend) throws IOException {
    Path spec = dir.resolve("overfit.json");
    Files.writeString(spec, OVERFIT);
    Path out = dir.resolve(backend);
    ResumeTest.Run r = rosetta("train", spec.toString(), "--backend", backend, "--train-samples", "256", "--out", out.toString());
    ok(r);
    CheckedSpec s = SpecJson.read(spec);
    return new Outcome(Files.readAllLines(out.resolve("history.csv")),
        new ObjectMapper().readTree(Files.readString(out.resolve("evaluation.json"))),
        Checkpoint.load(out.resolve("best.safetensors"), s), Checkpoint.load(out.resolve("checkpoint.safetensors"), s), r.out());
  }

  @Test
  void bothBackendsStopAtTheSameEpochAndRestoreTheBest() throws IOException {
    Outcome pt = train("pytorch");
    Outcome tf = train("tensorflow");
    int stopped = pt.history().size() - 1;
    assertTrue(stopped > 4 && stopped < 40, "stopped after epoch " + stopped + ": " + pt.out());
    assertEquals(stopped, tf.history().size() - 1, "tensorflow stopped at another epoch:\n" + tf.out() + "\npytorch:\n" + pt.out());
    assertEquals(pt.best().epoch(), tf.best().epoch());
    int best = pt.best().epoch();
    assertEquals(stopped - 3, best, "patience 3: the last 3 epochs did not improve");
    assertTrue(pt.out().contains("early stopping: val_loss did not improve for 3 epochs; stopped after epoch " + stopped
        + " (best: epoch " + best + ")"), pt.out());
    assertTrue(pt.out().contains("val_loss is watched on the test set (no --validation-split)"), pt.out());
    // The best epoch has the lowest test loss in the history, and the run ends with its weights.
    double bestLoss = Double.MAX_VALUE;
    int argmin = 0;
    for (int e = 1; e < pt.history().size(); e++) {
      String[] cells = pt.history().get(e).split(",", -1);
      double testLoss = Double.parseDouble(cells[pt.history().get(0).split(",").length - 4]);
      if (testLoss < bestLoss) {
        bestLoss = testLoss;
        argmin = e;
      }
    }
    assertEquals(best, argmin, String.join("\n", pt.history()));
    assertEquals(bestLoss, pt.evaluation().get("loss").asDouble(), 1e-12, "evaluation.json reports the restored weights");
    assertEquals(stopped, pt.last().epoch(), "the checkpoint keeps the last epoch, to resume from");
  }
}
