package dev.rosetta.tests.controls;

import static dev.rosetta.tests.controls.ResumeTest.ok;
import static dev.rosetta.tests.controls.ResumeTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning by name: pre-train on 8 classes, replace the head, train on the other 2 with the
 * body frozen; what was loaded, initialised and ignored is reported, shape conflicts are refused
 * unless re-initialisation is asked for, and the frozen body leaves training unchanged.
 */
class FineTuneTest {
  @TempDir Path dir;

  static final String BODY = """
      {"type": "conv2d", "name": "conv1", "filters": 4, "kernel": 3, "bias": false%s},
      {"type": "batch_norm", "name": "bn1"%s}, {"type": "relu", "name": "relu1"},
      {"type": "max_pool2d", "name": "pool1", "kernel": 2}, {"type": "flatten", "name": "flat"},
      {"type": "dense", "name": "fc1", "units": 32%s}, {"type": "relu", "name": "relu2"},
      """;

  static String spec(String name, String head, int classes, boolean frozen) {
    String f = frozen ? ", \"trainable\": false" : "";
    return "{\"format\": \"rosetta/v1\", \"name\": \"" + name + "\", \"input\": {\"shape\": [1, 28, 28]}, \"layers\": ["
        + String.format(BODY, f, f, f)
        + "{\"type\": \"dense\", \"name\": \"" + head + "\", \"units\": " + classes + "}],"
        + " \"loss\": {\"type\": \"cross_entropy\"}, \"optimizer\": {\"type\": \"sgd\", \"learning_rate\": 0.05, \"momentum\": 0.9},"
        + " \"training\": {\"epochs\": 1, \"batch_size\": 64, \"seed\": 5, \"shuffle\": true}}";
  }

  Path write(String name, String json) throws IOException {
    Path p = dir.resolve(name + ".json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void pretrainReplaceTheHeadFineTuneFrozenThenRefuseConflicts() throws IOException {
    Path pre = write("pre8", spec("pre8", "fc2", 8, false));
    Path pretrained = dir.resolve("pre");
    ok(rosetta("train", pre.toString(), "--backend", "pytorch", "--classes", "1,2,3,4,5,7,8,9", "--out", pretrained.toString()));
    Path ckpt = pretrained.resolve("checkpoint.safetensors");

    Path tune = write("tune2", spec("tune2", "head", 2, true));
    Path tuned = dir.resolve("tuned");
    ResumeTest.Run r = rosetta("train", tune.toString(), "--backend", "tensorflow", "--classes", "0,6", "--weights", ckpt.toString(),
        "--out", tuned.toString());
    ok(r);
    assertTrue(r.out().contains("weights from a pytorch checkpoint (epoch 1), by name:"), r.out());
    assertTrue(r.out().contains("loaded 7 tensors: conv1.weight, bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var,"
        + " fc1.weight, fc1.bias"), r.out());
    assertTrue(r.out().contains("initialised 2 (not in the checkpoint): head.weight, head.bias"), r.out());
    assertTrue(r.out().contains("ignored 2 (not in the spec): fc2.bias, fc2.weight"), r.out());
    assertTrue(r.out().contains("classes [0, 6]"), r.out());
    var before = Checkpoint.read(ckpt).weights();
    var after = Checkpoint.load(tuned.resolve("checkpoint.safetensors"), SpecJson.read(tune)).weights();
    for (String frozen : new String[] {"conv1.weight", "bn1.weight", "bn1.running_mean", "bn1.running_var", "fc1.weight"}) {
      assertEquals(before.get(frozen), after.get(frozen), frozen + " is frozen (batch norm in inference mode)");
    }
    assertNotEquals(dev.rosetta.weights.Initializer.initialize(SpecJson.read(tune)).get("head.weight"), after.get("head.weight"));

    // The same head name with another number of classes: a shape conflict.
    Path same = write("same", spec("same", "fc2", 2, true));
    ResumeTest.Run c = rosetta("train", same.toString(), "--backend", "pytorch", "--classes", "0,6", "--weights", ckpt.toString(),
        "--out", dir.resolve("conflict").toString());
    assertEquals(2, c.code(), c.out());
    assertTrue(c.err().contains("fc2.weight: " + ckpt + " has [8, 32], the spec [2, 32]"), c.err());
    assertTrue(c.err().contains("pass --reinit-mismatched"), c.err());
    assertTrue(!Files.exists(dir.resolve("conflict")), "a refused run writes nothing");
    ResumeTest.Run ok = rosetta("train", same.toString(), "--backend", "pytorch", "--classes", "0,6", "--weights", ckpt.toString(),
        "--reinit-mismatched", "--out", dir.resolve("reinit").toString());
    ok(ok);
    assertTrue(ok.out().contains("re-initialised 2 (other shape in the checkpoint): fc2.weight, fc2.bias"), ok.out());

    // Frozen and fine-tuned models export like any other.
    ok(rosetta("export", tune.toString(), "--weights", tuned.resolve("checkpoint.safetensors").toString(), "--out",
        dir.resolve("tuned.onnx").toString(), "--verify"));
  }
}
