package dev.rosetta.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a run stands at an epoch's end, beyond its weights and optimizer state: what a resumed
 * run needs to continue exactly. The data order and the dropout and augmentation streams are
 * functions of the spec seed and the epoch and step numbers, so the numbers are their position.
 *
 * @param epoch epochs finished
 * @param step optimizer steps taken
 * @param schedule the learning-rate schedule's state ({@code reduce_on_plateau}'s), or null
 * @param stopping early stopping's state, or null without early stopping
 * @param stopped true when early stopping ended the run at {@code epoch}
 */
public record TrainingState(int epoch, long step, LearningRates.State schedule, EarlyStopper.State stopping, boolean stopped) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A run that has not started. */
  public static final TrainingState START = new TrainingState(0, 0, null, null, false);

  /** One JSON object, doubles written exactly (shortest round-trip form; NaN as null). */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("epoch", epoch);
    o.put("step", step);
    if (schedule != null) {
      ObjectNode s = o.putObject("schedule");
      s.put("rate", schedule.rate());
      number(s, "best", schedule.best());
      s.put("epochs_without_improvement", schedule.epochsWithout());
      s.put("cooldown", schedule.cooldown());
    }
    if (stopping != null) {
      ObjectNode s = o.putObject("early_stopping");
      number(s, "best", stopping.best());
      s.put("best_epoch", stopping.bestEpoch());
      s.put("epochs_without_improvement", stopping.epochsWithout());
    }
    o.put("stopped", stopped);
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void number(ObjectNode o, String key, double v) {
    if (Double.isNaN(v)) {
      o.putNull(key);
    } else {
      o.put(key, v);
    }
  }

  /** Reads {@link #toJson()}. */
  public static TrainingState fromJson(String json) {
    try {
      JsonNode o = JSON.readTree(json);
      JsonNode s = o.get("schedule");
      JsonNode e = o.get("early_stopping");
      return new TrainingState(
          o.get("epoch").intValue(), o.get("step").longValue(),
          s == null ? null : new LearningRates.State(s.get("rate").doubleValue(), number(s.get("best")),
              s.get("epochs_without_improvement").intValue(), s.get("cooldown").intValue()),
          e == null ? null : new EarlyStopper.State(number(e.get("best")), e.get("best_epoch").intValue(),
              e.get("epochs_without_improvement").intValue()),
          o.get("stopped").booleanValue());
    } catch (JsonProcessingException | NullPointerException e) {
      throw new IllegalArgumentException("not a Rosetta training state: " + json, e);
    }
  }

  private static double number(JsonNode n) {
    return n == null || n.isNull() ? Double.NaN : n.doubleValue();
  }
}
