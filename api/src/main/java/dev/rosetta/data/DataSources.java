package dev.rosetta.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a user's {@code --data} argument to a train/test split. */
public final class DataSources {
  private DataSources() {}

  /**
   * {@code null}: the embedded Fashion-MNIST subset. A folder with IDX files: MNIST layout. A
   * folder with {@code train.csv} (and optionally {@code test.csv}): CSV. A {@code .csv} file:
   * training data only, no test set.
   */
  public static DataSplit load(Path data, String labelColumn) {
    if (data == null) {
      return IdxReader.readEmbedded();
    }
    if (!Files.exists(data)) {
      throw new DataException("data not found: " + data);
    }
    if (Files.isDirectory(data)) {
      if (IdxReader.looksLikeIdxDir(data)) {
        return IdxReader.readDirectory(data);
      }
      Path train = data.resolve("train.csv");
      if (Files.isRegularFile(train)) {
        Path test = data.resolve("test.csv");
        return new DataSplit(
            CsvReader.read(train, labelColumn),
            Files.isRegularFile(test) ? CsvReader.read(test, labelColumn) : null);
      }
      throw new DataException(
          data + ": no data found; expected IDX files (" + String.join(", ", IdxReader.FILES) + ", raw or .gz) or train.csv [+ test.csv]");
    }
    if (data.toString().endsWith(".csv")) {
      return new DataSplit(CsvReader.read(data, labelColumn), null);
    }
    throw new DataException(data + ": not a data folder or a .csv file");
  }
}
