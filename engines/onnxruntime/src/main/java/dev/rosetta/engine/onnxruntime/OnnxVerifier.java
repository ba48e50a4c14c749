package dev.rosetta.engine.onnxruntime;

import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.converter.ImportedModel;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Proves an exported file computes what the backend that trained it computes: the same inputs
 * through ONNX Runtime and through the reference model, compared element by element. Two batch
 * sizes, 1 and 37, show that the symbolic batch axis works (37 is no power of two and not the
 * training batch size, so it catches a batch size baked into the graph).
 *
 * <p>The bound is the parity contract's 1e-5 for outputs up to 1 in magnitude (a model at
 * initialisation), scaled by the largest output beyond that: {@code 1e-5 * max(1, max|y|)}. A
 * trained network's logits reach tens, where float32 itself resolves only a few 1e-6 (one ulp
 * of 58 is 3.8e-6), so a fixed 1e-5 would reject two correct runtimes for summing in a
 * different order. Relative to the output scale it still catches any real error by orders of
 * magnitude.
 */
public final class OnnxVerifier {
  /** The parity contract's bound for forward outputs (ARCHITECTURE.md), for outputs up to 1. */
  public static final double TOLERANCE = 1e-5;
  public static final List<Integer> BATCH_SIZES = List.of(1, 37);

  private OnnxVerifier() {}

  /**
   * @param maxAbsDiff per batch size, the largest |onnx - reference| over all outputs (NaN when
   *     either side produced a non-finite value where the other did not)
   * @param outputScale the largest |reference output| over every batch size
   * @param tolerance the bound the differences were held to: {@link #TOLERANCE} times
   *     {@code max(1, outputScale)}
   */
  public record Verification(
      Map<Integer, Double> maxAbsDiff, double outputScale, double tolerance, boolean pass, List<Integer> lengths) {
    public Verification {
      maxAbsDiff = Collections.unmodifiableMap(new LinkedHashMap<>(maxAbsDiff));
      lengths = List.copyOf(lengths);
    }

    /** The largest difference over every batch size; NaN if any was NaN. */
    public double worst() {
      double w = 0;
      for (double d : maxAbsDiff.values()) {
        if (Double.isNaN(d)) {
          return Double.NaN;
        }
        w = Math.max(w, d);
      }
      return w;
    }

    /**
     * {@code PASS max abs diff 1.2e-07 (batch 1: 5.9e-08, batch 37: 1.2e-07; bound 1.0e-05)}, or
     * with outputs beyond 1: {@code ...; bound 5.8e-04 = 1e-5 x largest output 58.0)}.
     */
    public String toText() {
      String bound = outputScale > 1
          ? String.format(Locale.ROOT, "; bound %.1e = 1e-5 x largest output %.1f)", tolerance, outputScale)
          : String.format(Locale.ROOT, "; bound %.1e)", tolerance);
      String at = lengths.isEmpty() ? "" : " at sequence lengths " + lengths.stream().map(String::valueOf).collect(Collectors.joining(" and "));
      return (pass ? "PASS" : "FAIL") + String.format(Locale.ROOT, " max abs diff %.2e (", worst())
          + maxAbsDiff.entrySet().stream().map(e -> String.format(Locale.ROOT, "batch %d: %.2e", e.getKey(), e.getValue())).collect(Collectors.joining(", "))
          + at + bound;
    }
  }

  /**
   * Verifies on seeded inputs (seed: the spec's training seed): standard-normal features, or
   * token ids uniform over the vocabulary.
   */
  public static Verification verify(Path onnx, CheckedSpec spec, InferenceModel reference) throws IOException {
    int need = BATCH_SIZES.get(BATCH_SIZES.size() - 1);
    if (spec.takesTokens()) {
      try (OrtSessionModel ort = OrtSessionModel.load(onnx, spec)) {
        return compareTokens(ort, reference, spec, syntheticTokens(spec, need));
      }
    }
    return verify(onnx, spec, reference, syntheticInputs(spec, need));
  }

  /**
   * Verifies on real samples: the first 37 of {@code data} (repeated when it has fewer), which
   * must already be shaped to the spec input (see {@link Dataset#reshapedTo}).
   */
  public static Verification verify(Path onnx, CheckedSpec spec, InferenceModel reference, Dataset data) throws IOException {
    if (data.hasTokens()) {
      requireFits(spec, data);
      int need = BATCH_SIZES.get(BATCH_SIZES.size() - 1);
      int size = data.featureSize();
      int[] ids = new int[need * size];
      for (int i = 0; i < need; i++) {
        System.arraycopy(data.tokens(), (i % data.size()) * size, ids, i * size, size);
      }
      try (OrtSessionModel ort = OrtSessionModel.load(onnx, spec)) {
        return compareTokens(ort, reference, spec, ids);
      }
    }
    return verify(onnx, spec, reference, samples(spec, data));
  }

  /** Samples shaped to the spec input, at least one. */
  private static void requireFits(CheckedSpec spec, Dataset data) {
    if (!data.sampleShape().equals(spec.input())) {
      throw new IllegalArgumentException(
          data.source() + ": samples of shape " + data.sampleShape() + " do not fit the spec input " + spec.input());
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException(data.source() + ": no samples to verify with");
    }
  }

  /**
   * The inputs a verification runs on: the first 37 samples of {@code data} (repeated when it
   * has fewer; shaped to the spec input), or seeded standard-normal ones (seed: the spec's
   * training seed) when {@code data} is null.
   */
  public static float[] samples(CheckedSpec spec, Dataset data) {
    int need = BATCH_SIZES.get(BATCH_SIZES.size() - 1);
    if (data == null) {
      return syntheticInputs(spec, need);
    }
    requireFits(spec, data);
    int size = data.featureSize();
    float[] x = new float[need * size];
    for (int i = 0; i < need; i++) {
      System.arraycopy(data.features(), (i % data.size()) * size, x, i * size, size);
    }
    return x;
  }

  /**
   * Proves an import computes what the file it came from computes: the original file runs in
   * ONNX Runtime as it is (its input layout and fixed batch size respected) and is the
   * reference; {@code candidate} runs the imported spec (a backend's inference model on the
   * imported weights). Batch sizes 1 and 37, the same bound as an export.
   *
   * @param samples at least 37 samples in the spec's layout ({@link #samples})
   */
  public static Verification verifyImport(ImportedModel imported, InferenceModel candidate, float[] samples) throws IOException {
    try (OriginalOnnxModel original = OriginalOnnxModel.load(imported)) {
      return compare(candidate, original, imported.spec(), samples);
    }
  }

  /**
   * Verifies a file that reads raw table rows: the same rows through ONNX Runtime (its graph
   * imputes, scales and one-hot encodes) and through the reference after Rosetta's own
   * preprocessing. The pool of 37 rows takes every row with a missing cell first (up to 37),
   * then the others in file order, repeated when there are fewer; rows a {@code drop} step
   * removes are not model inputs and are left out.
   */
  public static Verification verifyTabular(
      Path onnx, CheckedSpec spec, Preprocessor preprocessor, InferenceModel reference, RawRows rows) throws IOException {
    RawRows pool = tabularPool(preprocessor, rows);
    try (TabularOnnxModel ort = TabularOnnxModel.load(onnx, spec)) {
      InferenceModel raw = new InferenceModel() {
        @Override
        public float[] predict(float[] ignored, int n) {
          return ort.predict(pool.head(n));
        }

        @Override
        public void close() {}
      };
      float[] features = preprocessor.transform(pool).data().features();
      return compare(raw, reference, spec, features);
    }
  }

  /** The 37 rows {@link #verifyTabular} checks: those with a missing cell first. */
  public static RawRows tabularPool(Preprocessor preprocessor, RawRows rows) {
    RawRows usable = Preprocessor.withoutDropped(rows, preprocessor.spec());
    if (usable.size() == 0) {
      throw new IllegalArgumentException(rows.source() + ": no rows to verify with");
    }
    int need = BATCH_SIZES.get(BATCH_SIZES.size() - 1);
    java.util.List<Integer> order = new java.util.ArrayList<>();
    for (int r = 0; r < usable.size(); r++) {
      if (usable.hasMissing(r)) {
        order.add(r);
      }
    }
    for (int r = 0; r < usable.size(); r++) {
      if (!usable.hasMissing(r)) {
        order.add(r);
      }
    }
    int[] index = new int[need];
    for (int i = 0; i < need; i++) {
      index[i] = order.get(i % order.size());
    }
    return usable.select(index);
  }

  private static Verification verify(Path onnx, CheckedSpec spec, InferenceModel reference, float[] pool) throws IOException {
    try (OrtSessionModel ort = OrtSessionModel.load(onnx, spec)) {
      return compare(ort, reference, spec, pool);
    }
  }

  /**
   * Runs the leading samples of {@code pool} at each batch size through both models. Public so
   * any two inference faces (DJL's ONNX Runtime, a TensorFlow SavedModel) can be compared too.
   *
   * @param pool at least 37 samples, row-major
   */
  public static Verification compare(InferenceModel candidate, InferenceModel reference, CheckedSpec spec, float[] pool) {
    int size = (int) spec.input().size();
    Map<Integer, Double> diffs = new LinkedHashMap<>();
    double scale = 0;
    for (int n : BATCH_SIZES) {
      float[] x = java.util.Arrays.copyOf(pool, n * size);
      float[] a = candidate.predict(x, n);
      float[] b = reference.predict(x, n);
      diffs.put(n, maxAbsDiff(a, b));
      for (float v : b) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    return judge(diffs, scale, List.of());
  }

  private static Verification judge(Map<Integer, Double> diffs, double scale, List<Integer> lengths) {
    double tolerance = TOLERANCE * Math.max(1, scale);
    boolean pass = true;
    for (double d : diffs.values()) {
      pass &= d <= tolerance; // false for NaN
    }
    return new Verification(diffs, scale, tolerance, pass, lengths);
  }

  /**
   * {@link #compare} for a model reading token ids: each batch size at the full length and,
   * when the model takes shorter sequences, at about half of it too (the first positions of
   * each sequence), so a length baked into the exported graph shows.
   *
   * @param pool at least 37 sequences of the spec's input length, row-major
   */
  public static Verification compareTokens(InferenceModel candidate, InferenceModel reference, CheckedSpec spec, int[] pool) {
    int full = spec.input().dim(0);
    List<Integer> lengths = spec.takesShorterSequences() && full > 1 ? List.of(full, full / 2 + 1) : List.of(full);
    Map<Integer, Double> diffs = new LinkedHashMap<>();
    double scale = 0;
    for (int n : BATCH_SIZES) {
      double worst = 0;
      for (int length : lengths) {
        int[] ids = new int[n * length];
        for (int i = 0; i < n; i++) {
          System.arraycopy(pool, i * full, ids, i * length, length);
        }
        float[] a = candidate.predictTokens(ids, n, length);
        float[] b = reference.predictTokens(ids, n, length);
        double d = maxAbsDiff(a, b);
        worst = Double.isNaN(d) || Double.isNaN(worst) ? Double.NaN : Math.max(worst, d);
        for (float v : b) {
          scale = Math.max(scale, Math.abs(v));
        }
      }
      diffs.put(n, worst);
    }
    return judge(diffs, scale, lengths);
  }

  /** Token ids uniform over the smallest vocabulary of the spec's embeddings, seeded. */
  public static int[] syntheticTokens(CheckedSpec spec, int n) {
    int vocab = spec.tokenReaders().stream().mapToInt(e -> e.vocabSize()).min().orElse(1);
    SplittableRandom r = new SplittableRandom(spec.training().seed());
    int[] ids = new int[n * spec.input().dim(0)];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(vocab);
    }
    return ids;
  }

  /** Largest |a - b|; NaN for different lengths or a non-finite value on one side only. */
  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.NaN;
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      if (Float.compare(a[i], b[i]) == 0) {
        continue;
      }
      double d = Math.abs((double) a[i] - b[i]);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return Double.NaN;
      }
      max = Math.max(max, d);
    }
    return max;
  }

  static float[] syntheticInputs(CheckedSpec spec, int n) {
    SplittableRandom r = new SplittableRandom(spec.training().seed());
    float[] x = new float[(int) (n * spec.input().size())];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}
