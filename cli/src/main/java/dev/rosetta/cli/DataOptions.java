package dev.rosetta.cli;

import dev.rosetta.data.DataException;
import dev.rosetta.data.DataSources;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.TokenRange;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Preprocess;
import dev.rosetta.tabular.CsvTable;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.tabular.TabularData;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data} and {@code --label-column}, shared by every command that reads data. */
final class DataOptions {
  @Option(
      names = "--data",
      paramLabel = "PATH",
      description = {
        "IDX folder (MNIST layout, raw or .gz), folder with train.csv [+ test.csv], or a .csv file. Default: the embedded Fashion-MNIST subset (6,000 train / 1,000 test). A spec with a preprocess section needs a CSV table with a header.",
        "For a spec reading token ids: a text file or a folder of text files (UTF-8, read as characters; the last 10%% is the test set), or CSV of token ids (a sequence, then its labels, per line)."})
  Path data;

  @Option(names = "--label-column", paramLabel = "NAME", description = "CSV label column (default: 'label', else the last column).")
  String labelColumn;

  @Option(names = "--classes", split = ",", paramLabel = "LIST",
      description = "Keep only these classes (comma-separated labels), relabelled 0, 1, ... in the order given, in the training and test sets: pre-train on some classes, fine-tune on others.")
  int[] classes;

  @Option(names = "--train-samples", paramLabel = "N", description = "Train on the first N training samples only (after --classes): a small subset, e.g. to watch a model overfit.")
  Integer trainSamples;

  /**
   * The split, shaped to the spec's input and checked against its output. A spec with a
   * {@code preprocess} section reads its table and fits the preprocessing on the training rows.
   */
  DataSplit load(CheckedSpec spec) {
    return load(spec, null);
  }

  /**
   * @param vocabulary the vocabulary a trained model was stored with, which text must stay
   *     inside (characters outside it are an error naming where they are); null to build one
   *     from the text, as training does
   */
  DataSplit load(CheckedSpec spec, Vocabulary vocabulary) {
    if (spec.spec().preprocess() != null) {
      refuseSubsetsOfTables();
      RawRows[] t = tables(spec, true);
      return TabularData.fit(spec, t[0], t[1], 0, spec.training().seed()).split();
    }
    DataSplit split;
    if (spec.takesTokens()) {
      split = DataSources.loadTokens(data, spec.input().dim(0), labelsPerSample(spec), vocabulary);
      requireFits(split.vocabulary(), spec, data);
    } else {
      split = DataSources.load(data, labelColumn);
    }
    Dataset train = split.train();
    Dataset test = split.test();
    if (classes != null) {
      train = train.withClasses(classes);
      test = test == null ? null : test.withClasses(classes);
    }
    if (trainSamples != null) {
      if (trainSamples <= 0) {
        throw new Rosetta.UserInputException("--train-samples must be > 0 (got " + trainSamples + ")");
      }
      train = train.head(trainSamples);
    }
    return new DataSplit(fit(train, spec), test == null ? null : fit(test, spec), split.vocabulary());
  }

  /** --classes and --train-samples work on image and numeric data, not on preprocessed tables. */
  void refuseSubsetsOfTables() {
    if (classes != null || trainSamples != null) {
      throw new Rosetta.UserInputException("--classes and --train-samples apply to image and numeric data; a spec with a"
          + " preprocess section reads its table whole");
    }
  }

  /**
   * The raw training and test rows (the test rows null without a test file) of a spec with a
   * {@code preprocess} section: {@code --data} is a CSV file (training rows only) or a folder with
   * {@code train.csv} and optionally {@code test.csv}.
   *
   * @param labelRequired false for prediction on rows that may lack the label column
   */
  RawRows[] tables(CheckedSpec spec, boolean labelRequired) {
    Preprocess p = spec.spec().preprocess();
    if (data == null) {
      throw new Rosetta.UserInputException("spec '" + spec.name() + "' has a preprocess section: give its table with --data FILE.csv"
          + " (or a folder with train.csv and test.csv)");
    }
    if (labelColumn != null && !labelColumn.equals(p.label())) {
      throw new Rosetta.UserInputException("--label-column '" + labelColumn + "' differs from the spec's preprocess.label '"
          + p.label() + "'; the spec names the label column");
    }
    if (!Files.exists(data)) {
      throw new DataException("data not found: " + data);
    }
    if (Files.isDirectory(data)) {
      Path train = data.resolve("train.csv");
      if (!Files.isRegularFile(train)) {
        throw new DataException(data + ": no train.csv; a table folder holds train.csv and optionally test.csv");
      }
      Path test = data.resolve("test.csv");
      return new RawRows[] {
        RawRows.read(CsvTable.read(train), p, labelRequired),
        Files.isRegularFile(test) ? RawRows.read(CsvTable.read(test), p, labelRequired) : null
      };
    }
    return new RawRows[] {RawRows.read(CsvTable.read(data), p, labelRequired), null};
  }

  /** The raw rows a preprocessing model file is verified on: the test file's, else the training file's. */
  RawRows verificationRows(CheckedSpec spec) {
    RawRows[] t = tables(spec, false);
    return t[1] != null ? t[1] : t[0];
  }

  /**
   * Samples to check a model file with: the test set (else the training set) when the data fits
   * the spec, else null, meaning synthetic inputs. Data given with {@code --data} that does not
   * fit is an error; the default data not fitting (another input shape, fewer classes) is not.
   */
  Dataset verificationSamples(CheckedSpec spec) {
    return verificationSamples(spec, null);
  }

  /**
   * {@link #verificationSamples(CheckedSpec)} for a model trained on text: the text read with
   * its {@code vocabulary}.
   */
  Dataset verificationSamples(CheckedSpec spec, Vocabulary vocabulary) {
    try {
      DataSplit split = load(spec, vocabulary);
      return split.test() != null ? split.test() : split.train();
    } catch (RuntimeException e) {
      if (data != null) {
        throw e;
      }
      return null;
    }
  }

  /** Labels per sample the spec's output takes: one per position of a [T, C] output, else one. */
  private static int labelsPerSample(CheckedSpec spec) {
    return spec.output().rank() == 2 ? spec.output().dim(0) : 1;
  }

  /** A text's characters must all have an embedding row and an output class. */
  private static void requireFits(Vocabulary v, CheckedSpec spec, Path data) {
    if (v == null) {
      return;
    }
    for (Layer.Embedding e : spec.tokenReaders()) {
      if (v.size() > e.vocabSize()) {
        throw new DataException(data + ": the text has " + v.size() + " distinct characters, but embedding '" + e.name()
            + "' has vocab_size " + e.vocabSize() + "; raise vocab_size (and the output's classes) to at least " + v.size());
      }
    }
  }

  String describe() {
    String d = data == null ? "embedded Fashion-MNIST subset" : data.toString();
    if (classes != null) {
      d += ", classes " + java.util.Arrays.toString(classes);
    }
    if (trainSamples != null) {
      d += ", first " + trainSamples + " training samples";
    }
    return d;
  }

  private static Dataset fit(Dataset d, CheckedSpec spec) {
    Dataset shaped = d.reshapedTo(spec.input());
    if (shaped.hasTokens()) {
      TokenRange.require(spec, shaped.tokens(), shaped.size(), spec.input().dim(0), d.source());
    }
    return shaped.requireTargetsFor(spec);
  }
}
