package dev.rosetta.sweep;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where a sweep's trials run: one after another in this process ({@link #LOCAL}), or as Spark
 * tasks (the spark module's {@code SparkTrials}). Either way each trial is {@link TrialRunner#run}.
 */
public interface TrialExecutor {
  /**
   * @param done told of each finished trial (in this process: as it finishes)
   * @return one result per task, in the tasks' order
   */
  List<TrialResult> run(List<TrialTask> tasks, Consumer<TrialResult> done);

  /** Where trials run, for the output: {@code local} or the Spark master. */
  String describe();

  TrialExecutor LOCAL = new TrialExecutor() {
    @Override
    public List<TrialResult> run(List<TrialTask> tasks, Consumer<TrialResult> done) {
      return TrialRunner.runAll(tasks, done);
    }

    @Override
    public String describe() {
      return "local (one trial after another)";
    }
  };
}
