package dev.rosetta.cli;

import dev.rosetta.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/** One line per epoch on stdout. */
final class EpochPrinter implements TrainingListener {
  private final PrintWriter out;
  private final String prefix;

  EpochPrinter(PrintWriter out, String prefix) {
    this.out = out;
    this.prefix = prefix;
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
    out.printf(Locale.ROOT, "%sepoch %d/%d  train_loss %.4f%s%s  %,.0f samples/s%n", prefix, e.epoch(), e.epochs(), e.trainLoss(), val, test, e.samplesPerSecond());
    out.flush();
  }
}
