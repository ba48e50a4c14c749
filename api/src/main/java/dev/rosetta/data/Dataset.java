package dev.rosetta.data;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Shape;
import java.util.Arrays;

/**
 * Samples in memory, row-major: float32 features, or int token ids for a model whose input is
 * int64 (exactly one of the two); with integer labels (one per sample, or one per position of a
 * sequence) or float targets.
 *
 * @param sampleShape shape of one sample: features, or {@code [T]} token ids
 * @param features {@code size * sampleShape.size()} values, or null for token data
 * @param tokens {@code size * T} token ids, or null for float data
 * @param labels class labels, {@code size * labelsPerSample()} of them, or null for a regression
 *     set
 * @param targets regression targets ({@code size * targetSize} values), or null
 * @param source where the data came from, for messages
 */
public record Dataset(
    Shape sampleShape, float[] features, int[] tokens, int[] labels, float[] targets, int targetSize, String source) {

  public Dataset {
    if ((features == null) == (tokens == null)) {
      throw new IllegalArgumentException(source + ": a data set holds either float features or token ids");
    }
    long per = sampleShape.size();
    int values = features != null ? features.length : tokens.length;
    if (per == 0 || values % per != 0) {
      throw new IllegalArgumentException(
          source + ": " + values + " input values do not make whole samples of shape " + sampleShape);
    }
    int n = (int) (values / per);
    if (labels != null && (n == 0 ? labels.length != 0 : labels.length % n != 0)) {
      throw new IllegalArgumentException(source + ": " + labels.length + " labels for " + n + " samples");
    }
    if (targets != null && targets.length != (long) n * targetSize) {
      throw new IllegalArgumentException(
          source + ": " + targets.length + " target values for " + n + " samples of " + targetSize);
    }
  }

  /** Float features with labels or targets, the form every float data source makes. */
  public Dataset(Shape sampleShape, float[] features, int[] labels, float[] targets, int targetSize, String source) {
    this(sampleShape, features, null, labels, targets, targetSize, source);
  }

  public static Dataset classification(Shape sampleShape, float[] features, int[] labels, String source) {
    return new Dataset(sampleShape, features, labels, null, 0, source);
  }

  /**
   * Token sequences of {@code length} ids with integer labels: one per position (a next-token
   * or sequence-to-sequence task, {@code labels.length == tokens.length}) or one per sequence.
   */
  public static Dataset tokens(int length, int[] tokens, int[] labels, String source) {
    return new Dataset(Shape.of(length), null, tokens, labels, null, 0, source);
  }

  /** Whether the samples are token ids rather than float features. */
  public boolean hasTokens() {
    return tokens != null;
  }

  public int size() {
    return (int) ((features != null ? features.length : tokens.length) / sampleShape.size());
  }

  /** Input values per sample: features, or token ids. */
  public int featureSize() {
    return (int) sampleShape.size();
  }

  /** Labels per sample: 1 for classification, T for a label at every position. */
  public int labelsPerSample() {
    int n = size();
    return labels == null || n == 0 ? 1 : labels.length / n;
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
      String what = hasTokens() ? "sequences of " + sampleShape.size() + " tokens" : "samples of shape " + sampleShape + " (" + sampleShape.size() + " values)";
      throw new DataException(
          source + ": " + what + " do not fit the spec input " + shape + " (" + shape.size() + " values)");
    }
    return new Dataset(shape, features, tokens, labels, targets, targetSize, source);
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
        // One label per sample, or one per position of a [T, C] output.
        int perLabel = spec.output().dim(-1);
        int expected = spec.output().rank() == 2 ? spec.output().dim(0) : 1;
        if (size() > 0 && labelsPerSample() != expected) {
          throw new DataException(source + ": " + labelsPerSample() + " labels per sample, but the model outputs "
              + spec.output() + " (" + expected + " per sample)");
        }
        if (classCount() > perLabel) {
          throw new DataException(source + ": labels go up to " + (classCount() - 1) + " but the model outputs " + perLabel
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
    int fs = featureSize();
    int lw = labelsPerSample();
    return new Dataset(
        sampleShape,
        features == null ? null : Arrays.copyOf(features, n * fs),
        tokens == null ? null : Arrays.copyOf(tokens, n * fs),
        labels == null ? null : Arrays.copyOf(labels, n * lw),
        targets == null ? null : Arrays.copyOf(targets, n * targetSize),
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
    int lw = labelsPerSample();
    float[] x = features == null ? null : new float[n * fs];
    int[] ids = tokens == null ? null : new int[n * fs];
    int[] y = labels == null ? null : new int[n * lw];
    float[] t = targets == null ? null : new float[n * targetSize];
    for (int i = 0; i < n; i++) {
      int s = order[from + i];
      if (x != null) {
        System.arraycopy(features, s * fs, x, i * fs, fs);
      } else {
        System.arraycopy(tokens, s * fs, ids, i * fs, fs);
      }
      if (y != null) {
        System.arraycopy(labels, s * lw, y, i * lw, lw);
      }
      if (t != null) {
        System.arraycopy(targets, s * targetSize, t, i * targetSize, targetSize);
      }
    }
    return new Batch(sampleShape, x, ids, y, t, n);
  }

  /** Samples {@code [from, to)} in file order: contiguous, so copied as whole ranges. */
  public Batch slice(int from, int to) {
    int fs = featureSize();
    int lw = labelsPerSample();
    return new Batch(
        sampleShape,
        features == null ? null : Arrays.copyOfRange(features, from * fs, to * fs),
        tokens == null ? null : Arrays.copyOfRange(tokens, from * fs, to * fs),
        labels == null ? null : Arrays.copyOfRange(labels, from * lw, to * lw),
        targets == null ? null : Arrays.copyOfRange(targets, from * targetSize, to * targetSize),
        to - from);
  }
}
