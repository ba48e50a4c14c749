package dev.rosetta.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes {@code metrics.jsonl}: one line per optimizer step ({@code epoch, step, loss}) and one
 * per epoch (train loss, test loss and accuracy, throughput). Flushed at every epoch end, so a
 * crash loses at most the current epoch's step lines.
 */
public final class MetricsLog implements TrainingListener, AutoCloseable {
  private final BufferedWriter out;

  public MetricsLog(Path file) throws IOException {
    this(file, false);
  }

  /** @param append continue the file of a resumed run instead of starting it afresh */
  public MetricsLog(Path file, boolean append) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    this.out = append
        ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND)
        : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  @Override
  public void onStep(StepEvent e) {
    write(String.format(Locale.ROOT, "{\"epoch\":%d,\"step\":%d,\"loss\":%s}", e.epoch(), e.step(), num(e.loss())));
  }

  @Override
  public void onEpoch(EpochEvent e) {
    String test =
        e.test() == null
            ? "\"test_loss\":null,\"test_accuracy\":null"
            : String.format(Locale.ROOT, "\"test_loss\":%s,\"test_accuracy\":%s", num(e.test().loss()), num(e.test().accuracy()));
    write(String.format(Locale.ROOT,
        "{\"epoch\":%d,\"step\":%d,\"train_loss\":%s,%s,\"learning_rate\":%s,\"samples_per_second\":%.1f}",
        e.epoch(), e.step(), num(e.trainLoss()), test, num(e.learningRate()), e.samplesPerSecond()));
    try {
      out.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private void write(String line) {
    try {
      out.write(line);
      out.newLine();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
