package dev.rosetta.cli;

import dev.rosetta.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/** One line per epoch on stdout. */
final class EpochPrinter implements TrainingListener {
  private final PrintWriter out;
  private final String prefix;
  private final boolean showRate;

  EpochPrinter(PrintWriter out, String prefix) {
    this(out, prefix, false);
  }

  /** @param showRate print each epoch's learning rate (a schedule changes it) */
  EpochPrinter(PrintWriter out, String prefix, boolean showRate) {
    this.out = out;
    this.prefix = prefix;
    this.showRate = showRate;
  }

  @Override
  public void onEpoch(EpochEvent e) {
    String test =
        e.test() == null
            ? ""
            : String.format(Locale.ROOT, "  test_loss %.4f  test_accuracy %.4f", e.test().loss(), e.test().accuracy());
    String val =
        e.validation() == null
            ? ""
            : String.format(Locale.ROOT, "  val_loss %.4f  val_accuracy %.4f", e.validation().loss(), e.validation().accuracy());
    String rate = showRate ? String.format(Locale.ROOT, "  lr %.3g", e.learningRate()) : "";
    String best = e.improved() ? "  (best so far)" : "";
    out.printf(Locale.ROOT, "%sepoch %d/%d  train_loss %.4f%s%s%s  %,.0f samples/s%s%n", prefix, e.epoch(), e.epochs(),
        e.trainLoss(), val, test, rate, e.samplesPerSecond(), best);
    out.flush();
  }
}
