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

  /**
   * Token data for a model reading sequences of {@code length} ids. A {@code .csv} file, or a
   * folder with {@code train.csv} (and optionally {@code test.csv}): arrays of token ids ({@link
   * TokenCsvReader}). Any other file, or a folder of files: text read as characters ({@link
   * TextReader}; the last {@value TextReader#TEST_PERCENT}% is the test set).
   *
   * @param labelsPerSequence {@code length} for a label at every position, 1 for one per sequence
   * @param stored the vocabulary a trained model was stored with (text must stay inside it), or
   *     null to build one from the text
   */
  public static DataSplit loadTokens(Path data, int length, int labelsPerSequence, Vocabulary stored) {
    if (data == null) {
      throw new DataException("a model that reads token ids needs --data: a text file or a folder of text files"
          + " (read as characters), or CSV of token ids");
    }
    if (!Files.exists(data)) {
      throw new DataException("data not found: " + data);
    }
    Path train = data.resolve("train.csv");
    if (Files.isDirectory(data) && Files.isRegularFile(train)) {
      Path test = data.resolve("test.csv");
      return new DataSplit(
          TokenCsvReader.read(train, length, labelsPerSequence),
          Files.isRegularFile(test) ? TokenCsvReader.read(test, length, labelsPerSequence) : null);
    }
    if (!Files.isDirectory(data) && data.toString().endsWith(".csv")) {
      return new DataSplit(TokenCsvReader.read(data, length, labelsPerSequence), null);
    }
    if (labelsPerSequence != length) {
      throw new DataException(data + ": text gives a label (the next character) at every position, but the model"
          + " outputs one per sequence; use CSV of token ids for sequence classification");
    }
    return TextReader.split(TextReader.read(data), length, stored);
  }
}
