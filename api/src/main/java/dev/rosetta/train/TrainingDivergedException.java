package dev.rosetta.train;

/** A step produced a non-finite loss; training stopped before corrupting further state. */
public class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int epoch;
  private final long step;

  public TrainingDivergedException(int epoch, long step, float loss) {
    super(
        "training diverged: loss is " + loss + " at epoch " + epoch + ", step " + step
            + " (try a smaller learning_rate)");
    this.epoch = epoch;
    this.step = step;
  }

  private TrainingDivergedException(int epoch, long step, String message) {
    super(message);
    this.epoch = epoch;
    this.step = step;
  }

  /** The same failure with a note appended, e.g. where the last good checkpoint is. */
  public TrainingDivergedException withNote(String note) {
    return new TrainingDivergedException(epoch, step, getMessage() + "; " + note);
  }

  public int epoch() {
    return epoch;
  }

  public long step() {
    return step;
  }
}
