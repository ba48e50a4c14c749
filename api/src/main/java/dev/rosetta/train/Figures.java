package dev.rosetta.train;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The value of a monitored figure ({@link dev.rosetta.spec.Monitor}) at an epoch's end, from
 * what the epoch computed. {@code val_*} figures come from the validation split; a run without
 * one watches the test set instead (the training output says so).
 */
public final class Figures {
  private Figures() {}

  /** Each metric after the {@code <set>_} prefix, read from an evaluation. */
  private static final Map<String, ToDoubleFunction<Evaluation>> METRICS = Map.of(
      "loss", Evaluation::loss,
      "accuracy", Evaluation::accuracy,
      "macro_f1", Evaluation::macroF1,
      "mae", e -> e.regression() == null ? Double.NaN : e.regression().mae(),
      "rmse", e -> e.regression() == null ? Double.NaN : e.regression().rmse(),
      "r2", e -> e.regression() == null ? Double.NaN : e.regression().r2());

  /** A metric ({@code accuracy}, {@code macro_f1}, {@code loss}, {@code mae}, ...) of one evaluation, or NaN when it has none. */
  public static double metric(String name, Evaluation e) {
    ToDoubleFunction<Evaluation> m = METRICS.get(name);
    return m == null ? Double.NaN : m.applyAsDouble(e);
  }

  /**
   * @param validation the validation set's evaluation, or null (then the test set's stands in)
   * @param test the test set's evaluation, or null
   * @return the figure, or NaN when the run did not compute it
   */
  public static double value(String name, double trainLoss, Evaluation validation, Evaluation test) {
    if (name.equals("train_loss")) {
      return trainLoss;
    }
    int cut = name.indexOf('_');
    String set = name.substring(0, cut);
    ToDoubleFunction<Evaluation> metric = METRICS.get(name.substring(cut + 1));
    Evaluation e = set.equals("val") ? (validation != null ? validation : test) : set.equals("test") ? test : null;
    return e == null || metric == null ? Double.NaN : metric.applyAsDouble(e);
  }
}
