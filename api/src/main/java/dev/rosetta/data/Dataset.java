package dev.rosetta.data;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Shape;

/**
 * Samples in memory: features as float32 row-major, with integer class labels or float targets.
 *
 * @param sampleShape shape of one sample's features
 * @param features {@code size * sampleShape.size()} values
 * @param labels class labels, or null for a regression set
 * @param targets regression targets ({@code size * targetSize} values), or null
 * @param source where the data came from, for messages
 */
public record Dataset(
    Shape sampleShape, float[] features, int[] labels, float[] targets, int targetSize, String source) {

  public Dataset {
    int n = labels != null ? labels.length : targets.length / Math.max(1, targetSize);
    if ((long) n * sampleShape.size() != features.length) {
      throw new IllegalArgumentException(
          source + ": " + features.length + " feature values do not make " + n + " samples of shape " + sampleShape);
    }
  }

  public static Dataset classification(Shape sampleShape, float[] features, int[] labels, String source) {
    return new Dataset(sampleShape, features, labels, null, 0, source);
  }

  public int size() {
    return labels != null ? labels.length : targets.length / targetSize;
  }

  public int featureSize() {
    return (int) sampleShape.size();
  }

  /** Highest label + 1, or 0 for a regression set. */
  public int classCount() {
    int max = -1;
    if (labels != null) {
      for (int l : labels) {
        max = Math.max(max, l);
      }
    }
    return max + 1;
  }

  /** The same samples seen as another shape with the same number of values, e.g. 28x28 as 784. */
  public Dataset reshapedTo(Shape shape) {
    if (shape.size() != sampleShape.size()) {
      throw new DataException(
          source + ": samples of shape " + sampleShape + " (" + sampleShape.size() + " values) do not fit the spec input " + shape + " (" + shape.size() + " values)");
    }
    return new Dataset(shape, features, labels, targets, targetSize, source);
  }

  /**
   * This set, checked against what the spec's loss needs: class labels within the model's
   * outputs for cross_entropy; one-hot-able labels or targets of the output's width for mse.
   *
   * @throws DataException naming the file and both numbers
   */
  public Dataset requireTargetsFor(CheckedSpec spec) {
    int width = spec.outputSize();
    String last = spec.layers().get(spec.layers().size() - 1).name();
    spec.loss().accept(new Loss.Visitor<Void>() {
      @Override
      public Void crossEntropy(Loss.CrossEntropy l) {
        if (labels == null) {
          throw new DataException(source + ": cross_entropy needs integer class labels, but the label column has fractional values");
        }
        if (classCount() > width) {
          throw new DataException(source + ": labels go up to " + (classCount() - 1) + " but the model outputs " + width
              + " classes (last layer '" + last + "')");
        }
        return null;
      }

      @Override
      public Void mse(Loss.Mse l) {
        if (labels == null && targetSize != width) {
          throw new DataException(source + ": " + targetSize + " targets per sample but the model outputs " + width);
        }
        if (labels != null && classCount() > width) {
          throw new DataException(source + ": labels go up to " + (classCount() - 1) + ", too many for one-hot targets of width " + width);
        }
        return null;
      }
    });
    return this;
  }

  /** The first {@code n} samples. */
  public Dataset head(int n) {
    n = Math.min(n, size());
    float[] f = java.util.Arrays.copyOf(features, n * featureSize());
    return new Dataset(
        sampleShape, f,
        labels == null ? null : java.util.Arrays.copyOf(labels, n),
        targets == null ? null : java.util.Arrays.copyOf(targets, n * targetSize),
        targetSize, source);
  }

  /** The samples at {@code index}, in that order, as a new dataset. */
  public Dataset select(int[] index) {
    Batch b = batch(index, 0, index.length);
    return new Dataset(sampleShape, b.features(), b.labels(), b.targets(), targetSize, source);
  }

  /**
   * The samples of the listed classes only, relabelled by their position in {@code classes}:
   * {@code classes = [0, 6]} keeps T-shirts and shirts as classes 0 and 1. For training a model
   * on some of a data set's classes (pre-training, then fine-tuning on the others).
   *
   * @throws DataException for a set without class labels, or a class listed twice
   */
  public Dataset withClasses(int[] classes) {
    if (labels == null) {
      throw new DataException(source + ": has no class labels to choose classes from");
    }
    java.util.Map<Integer, Integer> index = new java.util.HashMap<>();
    for (int i = 0; i < classes.length; i++) {
      if (index.put(classes[i], i) != null) {
        throw new DataException("class " + classes[i] + " is listed twice");
      }
    }
    int[] rows = java.util.stream.IntStream.range(0, size()).filter(i -> index.containsKey(labels[i])).toArray();
    Dataset kept = select(rows);
    int[] relabelled = new int[rows.length];
    for (int i = 0; i < rows.length; i++) {
      relabelled[i] = index.get(kept.labels[i]);
    }
    return new Dataset(sampleShape, kept.features, relabelled, null, targetSize, source + " (classes " + java.util.Arrays.toString(classes) + ")");
  }

  /** Gathers the samples {@code order[from..to)} into one batch. */
  public Batch batch(int[] order, int from, int to) {
    int n = to - from;
    int fs = featureSize();
    float[] x = new float[n * fs];
    int[] y = labels == null ? null : new int[n];
    float[] t = targets == null ? null : new float[n * targetSize];
    for (int i = 0; i < n; i++) {
      int s = order[from + i];
      System.arraycopy(features, s * fs, x, i * fs, fs);
      if (y != null) {
        y[i] = labels[s];
      }
      if (t != null) {
        System.arraycopy(targets, s * targetSize, t, i * targetSize, targetSize);
      }
    }
    return new Batch(sampleShape, x, y, t, n);
  }

  /** Samples {@code [from, to)} in file order: contiguous, so copied as whole ranges. */
  public Batch slice(int from, int to) {
    int fs = featureSize();
    return new Batch(
        sampleShape,
        java.util.Arrays.copyOfRange(features, from * fs, to * fs),
        labels == null ? null : java.util.Arrays.copyOfRange(labels, from, to),
        targets == null ? null : java.util.Arrays.copyOfRange(targets, from * targetSize, to * targetSize),
        to - from);
  }

}
