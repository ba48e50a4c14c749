package dev.rosetta.train;

import dev.rosetta.data.DataException;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Monitor;
import dev.rosetta.spec.Schedule;

/**
 * The learning rate of every step under the spec's {@code training.lr_schedule}, computed in
 * Java double (each backend rounds it to float32 once, with each layer's multiplier). {@code
 * step} and {@code cosine} are functions of the epoch and step; {@code reduce_on_plateau} keeps
 * state between epochs, which {@link #state} exposes so a resumed run continues it exactly.
 */
public final class LearningRates {
  private final Schedule schedule;
  private final double base;
  private final int batchesPerEpoch;
  private final Improvement improvement;
  private State state;

  /**
   * Where {@code reduce_on_plateau} stands: the rate in force, the best monitored value (NaN
   * before the first), epochs without improvement, and cooldown epochs left.
   */
  public record State(double rate, double best, int epochsWithout, int cooldown) {}

  /**
   * @param trainSize samples per epoch (a cosine schedule counts its steps in batches)
   * @throws DataException when a cosine warm-up leaves no steps to decay over
   */
  public LearningRates(CheckedSpec spec, int trainSize) {
    this.schedule = spec.training().schedule();
    this.base = spec.optimizer().learningRate();
    this.batchesPerEpoch = (trainSize + spec.training().batchSize() - 1) / spec.training().batchSize();
    this.state = new State(base, Double.NaN, 0, 0);
    this.improvement = schedule instanceof Schedule.ReduceOnPlateau p
        ? new Improvement(Monitor.maximize(p.mode(), p.monitor()), p.minDelta())
        : null;
    requireFits(spec, trainSize);
  }

  /**
   * Checks the schedule against the data size before a run starts: a cosine warm-up must end
   * before the decay does.
   *
   * @throws DataException naming both step counts
   */
  public static void requireFits(CheckedSpec spec, int trainSize) {
    int batches = (trainSize + spec.training().batchSize() - 1) / spec.training().batchSize();
    if (spec.training().schedule() instanceof Schedule.Cosine c && c.warmupSteps() >= (long) c.decayEpochs() * batches) {
      throw new DataException("training.lr_schedule: cosine warmup_steps " + c.warmupSteps() + " is not below the "
          + (long) c.decayEpochs() * batches + " steps of decay_epochs " + c.decayEpochs() + " ("
          + batches + " batches of " + spec.training().batchSize() + " per epoch); shorten the warm-up");
    }
  }

  /** The monitor this schedule watches, or null. */
  public String monitor() {
    return schedule instanceof Schedule.ReduceOnPlateau p ? p.monitor() : null;
  }

  /** The rate of global step {@code step} (1-based), in epoch {@code epoch} (1-based). */
  public double rate(int epoch, long step) {
    if (schedule == null) {
      return base;
    }
    return schedule.accept(new Schedule.Visitor<Double>() {
      @Override
      public Double step(Schedule.Step s) {
        return base * Math.pow(s.gamma(), (epoch - 1) / s.stepSize());
      }

      @Override
      public Double cosine(Schedule.Cosine c) {
        int w = c.warmupSteps();
        if (step <= w) {
          return base * step / w;
        }
        long total = (long) c.decayEpochs() * batchesPerEpoch - w;
        long k = Math.min(step - w - 1, total);
        return c.minLr() + (base - c.minLr()) * (1 + Math.cos(Math.PI * k / total)) / 2;
      }

      @Override
      public Double reduceOnPlateau(Schedule.ReduceOnPlateau p) {
        return state.rate();
      }
    });
  }

  /**
   * Ends an epoch: {@code reduce_on_plateau} looks at its monitor's value (NaN when the run did
   * not compute it: nothing changes) and may lower the rate of the following epochs, as Keras's
   * {@code ReduceLROnPlateau} does.
   */
  public void endEpoch(double monitored) {
    if (!(schedule instanceof Schedule.ReduceOnPlateau p) || Double.isNaN(monitored)) {
      return;
    }
    double rate = state.rate();
    double best = state.best();
    int wait = state.epochsWithout();
    int cooldown = state.cooldown();
    if (cooldown > 0) {
      cooldown--;
      wait = 0;
    }
    if (improvement.over(monitored, best)) {
      best = monitored;
      wait = 0;
    } else if (cooldown == 0) {
      wait++;
      // Keras compares the old rate with min_lr rounded to float32.
      if (wait >= p.patience() && rate > (float) p.minLr()) {
        rate = Math.max(rate * p.factor(), p.minLr());
        cooldown = p.cooldown();
        wait = 0;
      }
    }
    state = new State(rate, best, wait, cooldown);
  }

  public State state() {
    return state;
  }

  /** Continues from a saved {@link #state()}. */
  public void restore(State s) {
    this.state = s;
  }
}
