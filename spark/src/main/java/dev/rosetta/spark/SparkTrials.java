package dev.rosetta.spark;

import dev.rosetta.InputException;
import dev.rosetta.sweep.TrialExecutor;
import dev.rosetta.sweep.TrialResult;
import dev.rosetta.sweep.TrialRunner;
import dev.rosetta.sweep.TrialTask;
import java.util.List;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A sweep's trials as Spark tasks: one partition per trial, so the cluster runs as many trials at
 * once as it has task slots. Each task is {@link TrialRunner#run}, the code a local sweep runs, so
 * with the sweep's fixed backend and thread count a trial gives the same checkpoint bits on an
 * executor as in the command's process. Every task claims as many cores as the trial's intra-op
 * threads ({@code spark.task.cpus}), when this class starts the session.
 *
 * <p>Executors need Rosetta's API and the backend's engine jars (with their native libraries) on
 * their class path, and the sweep's data at the same path.
 */
public final class SparkTrials implements TrialExecutor, AutoCloseable {
  private final SparkSession spark;
  private final boolean own;

  private SparkTrials(SparkSession spark, boolean own) {
    this.spark = spark;
    this.own = own;
  }

  /**
   * Trials on {@code master} in a session of their own, stopped by {@link #close}.
   *
   * @param threads the trials' intra-op threads: the cores each task claims
   */
  public static SparkTrials start(String master, int threads) {
    SparkSession.Builder b = SparkSession.builder().appName("rosetta sweep").config("spark.task.cpus", Integer.toString(threads));
    if (master != null) {
      b.master(master);
      if (master.startsWith("local")) {
        b.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1");
      }
    }
    return new SparkTrials(b.getOrCreate(), true);
  }

  /** Trials in an existing session (tests, an application's own), left running by {@link #close}. */
  public static SparkTrials in(SparkSession spark) {
    return new SparkTrials(spark, false);
  }

  @Override
  public List<TrialResult> run(List<TrialTask> tasks, Consumer<TrialResult> done) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<TrialResult> results;
    try {
      results = jsc.parallelize(tasks, tasks.size()).map(TrialRunner::run).collect();
    } catch (RuntimeException e) {
      // Spark rethrows a task's failure as a SparkException, which Java sees as unchecked here.
      throw unwrapped(e);
    }
    results.forEach(done);
    return results;
  }

  /** A trial's bad input (data, spec) as itself, so the command line says what it is; else Spark's exception. */
  private static RuntimeException unwrapped(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InputException i) {
        return i;
      }
    }
    return e;
  }

  @Override
  public String describe() {
    return "Spark " + spark.version() + " on " + spark.sparkContext().master() + " (" + spark.sparkContext().defaultParallelism()
        + " task slots, one trial per task)";
  }

  @Override
  public void close() {
    if (own) {
      spark.stop();
    }
  }
}
