package dev.rosetta.cli;

import dev.rosetta.train.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on a terminal; silent when stderr is not a TTY. */
final class ProgressBar implements TrainingListener {
  private final PrintStream err;
  private long lastDraw;

  private ProgressBar(PrintStream err) {
    this.err = err;
  }

  /** A bar when attached to a terminal, else a listener that does nothing. */
  static TrainingListener forTerminal() {
    return System.console() != null ? new ProgressBar(System.err) : new TrainingListener() {};
  }

  @Override
  public void onStep(StepEvent e) {
    long now = System.nanoTime();
    if (now - lastDraw < 100_000_000L && e.batchIndex() + 1 < e.batches()) {
      return;
    }
    lastDraw = now;
    int width = 30;
    int done = (int) ((long) width * (e.batchIndex() + 1) / e.batches());
    err.printf(Locale.ROOT, "\repoch %d [%s%s] %d/%d loss %.4f ", e.epoch(), "=".repeat(done), " ".repeat(width - done), e.batchIndex() + 1, e.batches(), e.loss());
    err.flush();
  }

  @Override
  public void onEpoch(EpochEvent e) {
    err.print("\r" + " ".repeat(78) + "\r");
    err.flush();
  }
}
