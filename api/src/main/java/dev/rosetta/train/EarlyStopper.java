package dev.rosetta.train;

import dev.rosetta.spec.EarlyStopping;

/**
 * Keras's {@code EarlyStopping} decision, epoch by epoch; {@link #state} is what a resumed run
 * needs to continue it exactly.
 */
public final class EarlyStopper {
  private final EarlyStopping spec;
  private final Improvement improvement;
  private State state = new State(Double.NaN, 0, 0);

  /**
   * @param best the best monitored value so far (NaN before the first watched epoch)
   * @param bestEpoch the 1-based epoch that reached it (0: none)
   * @param wait epochs counted since the best (Keras's {@code wait})
   */
  public record State(double best, int bestEpoch, int epochsWithout) {}

  /** What an epoch's value meant. */
  public enum Verdict {
    /** Not watched: before {@code start_from_epoch}, or the value was not computed. */
    SKIPPED,
    /** A new best: the run saves {@code best.safetensors}. */
    IMPROVED,
    WAITING,
    /** Patience ran out: the run stops after this epoch. */
    STOP
  }

  public EarlyStopper(EarlyStopping spec) {
    this.spec = spec;
    this.improvement = new Improvement(spec.maximize(), spec.minDelta());
  }

  public EarlyStopping spec() {
    return spec;
  }

  /** Judges epoch {@code epoch} (1-based) by its monitored value. */
  public Verdict onEpoch(int epoch, double value) {
    if (Double.isNaN(value) || epoch - 1 < spec.startFromEpoch()) {
      return Verdict.SKIPPED;
    }
    int wait = state.epochsWithout() + 1;
    if (improvement.over(value, state.best())) {
      state = new State(value, epoch, 0);
      return Verdict.IMPROVED;
    }
    state = new State(state.best(), state.bestEpoch(), wait);
    return wait >= spec.patience() && epoch > 1 ? Verdict.STOP : Verdict.WAITING;
  }

  public State state() {
    return state;
  }

  public void restore(State s) {
    this.state = s;
  }
}
