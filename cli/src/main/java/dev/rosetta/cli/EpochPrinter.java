package dev.rosetta.cli;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.train.Evaluation;
import dev.rosetta.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/** One line per epoch on stdout. */
final class EpochPrinter implements TrainingListener {
  private final PrintWriter out;
  private final String prefix;
  private final boolean showRate;
  private final boolean perToken;

  EpochPrinter(PrintWriter out, String prefix) {
    this(out, prefix, false, false);
  }

  /**
   * @param showRate print each epoch's learning rate (a schedule changes it)
   * @param perToken add a next-token model's bits per token and perplexity to the test figures
   */
  EpochPrinter(PrintWriter out, String prefix, boolean showRate, boolean perToken) {
    this.out = out;
    this.prefix = prefix;
    this.showRate = showRate;
    this.perToken = perToken;
  }

  /** Whether a spec's loss is a cross-entropy over token positions, so bits and perplexity mean something. */
  static boolean perToken(CheckedSpec spec) {
    return spec.takesTokens() && spec.loss() instanceof Loss.CrossEntropy;
  }

  /** {@code  (1.781 bits/token, perplexity 3.44)}. */
  static String tokenFigures(Evaluation e) {
    return String.format(Locale.ROOT, " (%.3f bits/token, perplexity %.2f)", e.bitsPerToken(), e.perplexity());
  }

  @Override
  public void onEpoch(EpochEvent e) {
    String test =
        e.test() == null
            ? ""
            : String.format(Locale.ROOT, "  test_loss %.4f%s  test_accuracy %.4f", e.test().loss(),
                perToken ? tokenFigures(e.test()) : "", e.test().accuracy());
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
