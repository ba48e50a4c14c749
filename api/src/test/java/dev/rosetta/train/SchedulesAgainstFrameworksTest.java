package dev.rosetta.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.data.DataException;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.EarlyStopping;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Monitor;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Schedule;
import dev.rosetta.spec.Training;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Learning-rate schedules and early stopping against what the frameworks compute on the same
 * inputs: PyTorch's StepLR and LinearLR + CosineAnnealingLR, Keras's ReduceLROnPlateau and
 * EarlyStopping (schedules-fixture.json, written by src/test/python/schedules_fixture.py).
 */
class SchedulesAgainstFrameworksTest {
  static JsonNode fixture;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = SchedulesAgainstFrameworksTest.class.getResourceAsStream("schedules-fixture.json")) {
      fixture = new ObjectMapper().readTree(in);
    }
  }

  static CheckedSpec spec(double lr, Training t) {
    return ModelSpec.builder().setInput(2).dense("fc", 2).setLoss(new Loss.CrossEntropy())
        .setOptimizer(new Optimizer.Sgd(lr)).optTraining(t).build();
  }

  @Test
  void stepScheduleMatchesPytorchStepLr() {
    JsonNode f = fixture.get("step");
    Training t = new Training(10, 4, 1, true).withSchedule(new Schedule.Step(f.get("step_size").asInt(), f.get("gamma").asDouble()));
    LearningRates r = new LearningRates(spec(f.get("learning_rate").asDouble(), t), 40);
    JsonNode want = f.get("rates_by_epoch");
    for (int e = 1; e <= want.size(); e++) {
      // 10 batches per epoch: the rate holds for every step of the epoch.
      assertEquals(want.get(e - 1).asDouble(), r.rate(e, (e - 1) * 10L + 1), 1e-15, "epoch " + e);
      assertEquals(want.get(e - 1).asDouble(), r.rate(e, e * 10L), 1e-15, "epoch " + e);
    }
  }

  @Test
  void cosineWithWarmupMatchesPytorchLinearThenCosineAnnealing() {
    JsonNode f = fixture.get("cosine");
    int batches = f.get("batches_per_epoch").asInt();
    Schedule.Cosine c = new Schedule.Cosine(f.get("min_lr").asDouble(), f.get("warmup_steps").asInt(), f.get("decay_epochs").asInt());
    Training t = new Training(f.get("decay_epochs").asInt(), 8, 1, true).withSchedule(c);
    LearningRates r = new LearningRates(spec(f.get("learning_rate").asDouble(), t), 8 * batches - 3);
    JsonNode want = f.get("rates_by_step");
    for (int s = 1; s <= want.size(); s++) {
      int epoch = (s - 1) / batches + 1;
      assertEquals(want.get(s - 1).asDouble(), r.rate(epoch, s), 1e-12, "step " + s);
    }
    // Past its length the curve stays at min_lr (PyTorch's closed form would climb again).
    assertEquals(c.minLr(), r.rate(5, want.size() + 1), 1e-15);
    assertEquals(c.minLr(), r.rate(9, want.size() + 40), 1e-15);
  }

  @Test
  void cosineLengthIsTheSpecsEpochsEvenWhenARunIsShortened() {
    Training t = new Training(4, 8, 1, true).withSchedule(new Schedule.Cosine(0, 0, 0));
    assertEquals(4, ((Schedule.Cosine) t.schedule()).decayEpochs());
    assertEquals(4, ((Schedule.Cosine) t.withEpochs(2).schedule()).decayEpochs());
  }

  @Test
  void aWarmupLongerThanTheDecayIsRefusedWithTheNumbers() {
    Training t = new Training(1, 10, 1, true).withSchedule(new Schedule.Cosine(0, 50, 0));
    DataException e = assertThrows(DataException.class, () -> new LearningRates(spec(0.1, t), 100));
    assertTrue(e.getMessage().contains("warmup_steps 50 is not below the 10 steps"), e.getMessage());
  }

  @Test
  void reduceOnPlateauMatchesKeras() {
    JsonNode f = fixture.get("reduce_on_plateau");
    Schedule.ReduceOnPlateau p = new Schedule.ReduceOnPlateau(f.get("monitor").asText(), Monitor.Mode.AUTO,
        f.get("factor").asDouble(), f.get("patience").asInt(), f.get("cooldown").asInt(), f.get("min_lr").asDouble(),
        f.get("min_delta").asDouble());
    LearningRates r = new LearningRates(spec(f.get("learning_rate").asDouble(), new Training(20, 4, 1, true).withSchedule(p)), 40);
    JsonNode values = f.get("values");
    JsonNode want = f.get("rates_after_epoch");
    for (int e = 0; e < values.size(); e++) {
      r.endEpoch(values.get(e).asDouble());
      // Keras holds the rate in a float32 variable.
      assertEquals((float) want.get(e).asDouble(), (float) r.rate(e + 2, 1), 0f, "after epoch " + (e + 1));
    }
  }

  @Test
  void earlyStoppingMatchesKeras() {
    for (JsonNode c : fixture.get("early_stopping")) {
      Monitor.Mode mode = c.has("mode") ? Monitor.Mode.valueOf(c.get("mode").asText().toUpperCase()) : Monitor.Mode.AUTO;
      EarlyStopping es = new EarlyStopping(c.get("monitor").asText(), mode, c.path("min_delta").asDouble(0),
          c.get("patience").asInt(), false, c.path("start_from_epoch").asInt(0));
      EarlyStopper s = new EarlyStopper(es);
      JsonNode values = c.get("values");
      int ran = 0;
      boolean stopped = false;
      for (int e = 1; e <= values.size() && !stopped; e++) {
        ran = e;
        stopped = s.onEpoch(e, values.get(e - 1).asDouble()) == EarlyStopper.Verdict.STOP;
      }
      assertEquals(c.get("epochs_run").asInt(), ran, c.toString());
      assertEquals(c.get("stopped").asBoolean(), stopped, c.toString());
      assertEquals(c.get("best_epoch").asInt(), s.state().bestEpoch(), c.toString());
    }
  }

  @Test
  void accuracyAndF1AndR2RiseLossesFall() {
    assertTrue(Monitor.maximize(Monitor.Mode.AUTO, "val_accuracy"));
    assertTrue(Monitor.maximize(Monitor.Mode.AUTO, "test_macro_f1"));
    assertTrue(Monitor.maximize(Monitor.Mode.AUTO, "val_r2"));
    assertTrue(!Monitor.maximize(Monitor.Mode.AUTO, "val_loss"));
    assertTrue(!Monitor.maximize(Monitor.Mode.AUTO, "val_rmse"));
    assertTrue(Monitor.maximize(Monitor.Mode.MAX, "val_loss"));
  }
}
