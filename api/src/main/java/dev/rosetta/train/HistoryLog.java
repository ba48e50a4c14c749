package dev.rosetta.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Writes {@code history.csv}, one row per epoch, as Keras' CSVLogger does: the running training
 * loss, the validation and test figures, and the learning rate. The columns depend only on the
 * loss (classification or regression), never on which sets a run has, so every run of a spec
 * writes the same header; a figure a run does not have is an empty cell. Flushed every epoch.
 */
public final class HistoryLog implements TrainingListener, AutoCloseable {
  /** The columns for a classifier (cross_entropy). */
  public static final List<String> CLASSIFICATION = List.of(
      "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_macro_f1",
      "test_loss", "test_accuracy", "test_macro_f1", "learning_rate");

  /** The columns for a regression (mse). */
  public static final List<String> REGRESSION = List.of(
      "epoch", "train_loss", "val_loss", "val_mae", "val_rmse", "val_r2",
      "test_loss", "test_mae", "test_rmse", "test_r2", "learning_rate");

  private final BufferedWriter out;
  private final boolean classification;

  /** @param classification whether the model classifies ({@link dev.rosetta.spec.Loss#classifies}) */
  public HistoryLog(Path file, boolean classification) throws IOException {
    this(file, classification, false);
  }

  /** @param append continue the file of a resumed run (its header is there) */
  public HistoryLog(Path file, boolean classification, boolean append) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    boolean header = !append || !Files.isRegularFile(file) || Files.size(file) == 0;
    this.out = append
        ? Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND)
        : Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    this.classification = classification;
    if (header) {
      write(String.join(",", classification ? CLASSIFICATION : REGRESSION));
    }
  }

  @Override
  public void onEpoch(EpochEvent e) {
    List<String> row = new ArrayList<>();
    row.add(Integer.toString(e.epoch()));
    row.add(num(e.trainLoss()));
    if (classification) {
      row.add(cell(e.train(), Evaluation::accuracy));
      addSet(row, e.validation(), Evaluation::accuracy, Evaluation::macroF1);
      addSet(row, e.test(), Evaluation::accuracy, Evaluation::macroF1);
    } else {
      addSet(row, e.validation(), v -> v.regression().mae(), v -> v.regression().rmse(), v -> v.regression().r2());
      addSet(row, e.test(), v -> v.regression().mae(), v -> v.regression().rmse(), v -> v.regression().r2());
    }
    row.add(num(e.learningRate()));
    write(String.join(",", row));
    try {
      out.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  @SafeVarargs
  private static void addSet(List<String> row, Evaluation set, ToDoubleFunction<Evaluation>... metrics) {
    row.add(cell(set, Evaluation::loss));
    for (ToDoubleFunction<Evaluation> m : metrics) {
      row.add(cell(set, m));
    }
  }

  private static String cell(Evaluation set, ToDoubleFunction<Evaluation> metric) {
    return set == null ? "" : num(metric.applyAsDouble(set));
  }

  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "";
  }

  private void write(String line) {
    try {
      out.write(line);
      out.newLine();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
