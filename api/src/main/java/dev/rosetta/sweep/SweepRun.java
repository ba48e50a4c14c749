package dev.rosetta.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A sweep run: every trial on an executor, the trials ranked by the metric's mean over their
 * held-out parts (ties: the earlier trial), and the best trial's checkpoint — its model, after a
 * validation split; after a cross-validation, the best spec trained once more on all the data, on
 * the same executor.
 *
 * @param ranked best first
 * @param checkpoint the best trial's checkpoint bytes
 * @param seconds wall time of the trials and the final model
 */
public record SweepRun(SweepPlan plan, List<TrialResult> ranked, byte[] checkpoint, double seconds, String where) {

  public TrialResult best() {
    return ranked.get(0);
  }

  public SweepPlan.Trial trial(TrialResult r) {
    return plan.trials().stream().filter(t -> t.index() == r.index()).findFirst().orElseThrow();
  }

  public static SweepRun run(SweepPlan plan, TrialExecutor executor, Consumer<TrialResult> done) {
    long start = System.nanoTime();
    List<TrialTask> tasks = plan.tasks();
    List<TrialResult> results = executor.run(tasks, done);
    List<TrialResult> ranked = rank(results, plan.maximize());
    TrialResult best = ranked.get(0);
    byte[] checkpoint = best.checkpoint();
    if (checkpoint == null) {
      TrialTask whole = tasks.stream().filter(t -> t.index() == best.index()).findFirst().orElseThrow().whole();
      checkpoint = executor.run(List.of(whole), r -> {}).get(0).checkpoint();
    }
    return new SweepRun(plan, ranked, checkpoint, (System.nanoTime() - start) / 1e9, executor.describe());
  }

  /** Best mean first (NaN last), ties broken by trial number. */
  static List<TrialResult> rank(List<TrialResult> results, boolean maximize) {
    Comparator<TrialResult> byMean = Comparator.comparingDouble(r -> Double.isNaN(r.mean())
        ? Double.POSITIVE_INFINITY : maximize ? -r.mean() : r.mean());
    List<TrialResult> out = new ArrayList<>(results);
    out.sort(byMean.thenComparingInt(TrialResult::index));
    return out;
  }
}
