package dev.rosetta.spec;

import static dev.rosetta.spec.SpecJsonTest.SEED;
import static dev.rosetta.spec.SpecJsonTest.onlyError;
import static dev.rosetta.spec.SpecJsonTest.seedWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The training controls in JSON: read, written back, and every bad value named by its path. */
class TrainingControlsSpecTest {
  static final String SHUFFLE = "\"shuffle\": true}";

  static String training(String extra) {
    return seedWith(SHUFFLE, "\"shuffle\": true, " + extra + "}");
  }

  static String image(String extra) {
    return training(extra).replace("\"shape\": [784]", "\"shape\": [1, 28, 28]")
        .replace("{\"type\": \"dense\", \"name\": \"fc1\", \"units\": 128}",
            "{\"type\": \"flatten\", \"name\": \"flat\"}, {\"type\": \"dense\", \"name\": \"fc1\", \"units\": 128}");
  }

  @Test
  void readsEveryControlAndWritesItBack() {
    String json = image("\"clip_grad_norm\": 1.0, \"lr_schedule\": {\"type\": \"cosine\", \"warmup_steps\": 100, \"min_lr\": 0.0001},"
        + " \"early_stopping\": {\"monitor\": \"val_accuracy\", \"patience\": 3, \"restore_best_weights\": true},"
        + " \"augmentation\": [{\"type\": \"random_crop\", \"padding\": 2}, {\"type\": \"horizontal_flip\"},"
        + " {\"type\": \"random_translate\", \"max_shift\": 3, \"fill\": \"reflect\"}]");
    CheckedSpec s = SpecJson.parse(json, "t");
    Training t = s.training();
    assertEquals(1.0, t.clipGradNorm());
    // decay_epochs defaults to the spec's epochs and is written explicitly.
    assertEquals(new Schedule.Cosine(0.0001, 100, 10), t.schedule());
    assertEquals(new EarlyStopping("val_accuracy", Monitor.Mode.AUTO, 0, 3, true, 0), t.earlyStopping());
    assertEquals(List.of(new Augmentation.RandomCrop(2), new Augmentation.HorizontalFlip(0.5),
        new Augmentation.RandomTranslate(3, Augmentation.Fill.REFLECT)), t.augmentation());
    CheckedSpec again = SpecJson.parse(SpecJson.write(s), "again");
    assertEquals(s.spec(), again.spec());
    assertTrue(SpecJson.write(s).contains("\"decay_epochs\" : 10"), SpecJson.write(s));
  }

  @Test
  void aSpecWithoutControlsWritesNoneOfTheirSections() {
    String w = SpecJson.write(SpecJson.parse(SEED, "seed"));
    assertTrue(!w.contains("lr_schedule") && !w.contains("early_stopping") && !w.contains("augmentation"), w);
  }

  @Test
  void negativePatienceIsNamedByItsPath() {
    SpecIssue e = onlyError(training("\"early_stopping\": {\"patience\": -1}"));
    assertEquals("$.training.early_stopping.patience", e.path());
    assertTrue(e.message().contains("patience must be >= 0 (got -1)"), e.message());
  }

  @Test
  void aMonitorThatIsNotComputedIsAnErrorListingWhatIs() {
    SpecIssue e = onlyError(training("\"early_stopping\": {\"monitor\": \"val_mae\"}"));
    assertEquals("$.training.early_stopping.monitor", e.path());
    assertTrue(e.message().contains("monitor \"val_mae\" is not computed for a cross_entropy model"), e.message());
    assertTrue(e.message().contains("val_accuracy"), e.message());
    SpecIssue p = onlyError(training("\"lr_schedule\": {\"type\": \"reduce_on_plateau\", \"monitor\": \"accuracy\"}"));
    assertEquals("$.training.lr_schedule.monitor", p.path());
  }

  @Test
  void unknownScheduleTypesAndFieldsAreNamed() {
    SpecIssue e = onlyError(training("\"lr_schedule\": {\"type\": \"exponential\"}"));
    assertEquals("$.training.lr_schedule.type", e.path());
    assertTrue(e.message().contains("unknown lr_schedule \"exponential\" (known: step, cosine, reduce_on_plateau)"), e.message());
    SpecIssue f = onlyError(training("\"lr_schedule\": {\"type\": \"step\", \"step_size\": 2, \"gama\": 0.5}"));
    assertEquals("$.training.lr_schedule.gama", f.path());
    SpecIssue m = onlyError(training("\"lr_schedule\": {\"type\": \"step\"}"));
    assertEquals("$.training.lr_schedule.step_size", m.path());
  }

  @Test
  void cosineFloorAboveTheRateIsRefused() {
    SpecIssue e = onlyError(training("\"lr_schedule\": {\"type\": \"cosine\", \"min_lr\": 0.5}"));
    assertEquals("$.training.lr_schedule.min_lr", e.path());
    assertTrue(e.message().contains("below the optimizer's learning_rate 0.01"), e.message());
  }

  @Test
  void augmentationNeedsAnImageInput() {
    SpecIssue e = onlyError(training("\"augmentation\": [{\"type\": \"horizontal_flip\"}]"));
    assertEquals("$.training.augmentation[0]", e.path());
    assertTrue(e.message().contains("horizontal_flip transforms images and needs an input of shape [C, H, W], but the input is [784]"),
        e.message());
    SpecIssue r = onlyError(image("\"augmentation\": [{\"type\": \"random_translate\", \"max_shift\": 28, \"fill\": \"reflect\"}]"));
    assertEquals("$.training.augmentation[0].max_shift", r.path());
    SpecIssue p = onlyError(image("\"augmentation\": [{\"type\": \"horizontal_flip\", \"probability\": 1.5}]"));
    assertEquals("$.training.augmentation[0].probability", p.path());
    SpecIssue a = onlyError(image("\"augmentation\": {\"type\": \"horizontal_flip\"}"));
    assertEquals("$.training.augmentation", a.path());
  }
}
