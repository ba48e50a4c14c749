package dev.rosetta.cli;

import dev.rosetta.data.DataException;
import dev.rosetta.data.DataSources;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.CheckedSpec;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data} and {@code --label-column}, shared by every command that reads data. */
final class DataOptions {
  @Option(
      names = "--data",
      paramLabel = "PATH",
      description = "IDX folder (MNIST layout, raw or .gz), folder with train.csv [+ test.csv], or a .csv file. Default: the embedded Fashion-MNIST subset (6,000 train / 1,000 test).")
  Path data;

  @Option(names = "--label-column", paramLabel = "NAME", description = "CSV label column (default: 'label', else the last column).")
  String labelColumn;

  /** The split, shaped to the spec's input and checked against its output. */
  DataSplit load(CheckedSpec spec) {
    DataSplit split = DataSources.load(data, labelColumn);
    Dataset train = fit(split.train(), spec);
    Dataset test = split.test() == null ? null : fit(split.test(), spec);
    return new DataSplit(train, test);
  }

  String describe() {
    return data == null ? "embedded Fashion-MNIST subset" : data.toString();
  }

  private static Dataset fit(Dataset d, CheckedSpec spec) {
    Dataset shaped = d.reshapedTo(spec.input());
    int width = spec.outputSize();
    if (spec.loss() instanceof Loss.CrossEntropy) {
      if (d.labels() == null) {
        throw new DataException(d.source() + ": cross_entropy needs integer class labels, but the label column has fractional values");
      }
      int classes = d.classCount();
      if (classes > width) {
        throw new DataException(
            d.source() + ": labels go up to " + (classes - 1) + " but the model outputs " + width + " classes (last layer '"
                + spec.layers().get(spec.layers().size() - 1).name() + "')");
      }
    } else if (d.labels() == null && d.targetSize() != width) {
      throw new DataException(d.source() + ": " + d.targetSize() + " targets per sample but the model outputs " + width);
    } else if (d.labels() != null && d.classCount() > width) {
      throw new DataException(d.source() + ": labels go up to " + (d.classCount() - 1) + ", too many for one-hot targets of width " + width);
    }
    return shaped;
  }
}
