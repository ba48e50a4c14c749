package dev.rosetta.tabular;

import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The ways a model is judged on data it did not train on, for a table (preprocessing fitted on
 * the training part only) and for image or numeric data alike: the k folds of a
 * cross-validation, or one validation split. {@code rosetta cv} and a sweep's trials both deal
 * their data here, so a trial's folds are {@code cv}'s folds.
 */
public final class Holdouts {
  private Holdouts() {}

  /**
   * A training part and the part it is judged on.
   *
   * @param test null when the whole data trains (a sweep's final model)
   * @param preprocessor fitted on {@code train}'s rows, or null for data without a preprocess section
   */
  public record Part(Dataset train, Dataset test, Preprocessor preprocessor) {
    /** The class names of a table, or null. */
    public List<String> classes() {
      return preprocessor == null ? null : preprocessor.classes();
    }
  }

  /**
   * The data of a spec: a table's raw rows (a spec with a preprocess section), else a dataset
   * already shaped to the spec's input.
   */
  public record Source(RawRows rows, Dataset samples) {
    public static Source of(RawRows rows) {
      return new Source(rows, null);
    }

    public static Source of(Dataset samples) {
      return new Source(null, samples);
    }
  }

  /** Seeded, stratified folds (see {@link Splits#folds}); a table's preprocessing fitted inside each. */
  public static List<Part> kFold(CheckedSpec spec, Source data, int k, long seed) {
    List<Part> parts = new ArrayList<>();
    if (data.rows() != null) {
      for (CrossValidation.Fold f : CrossValidation.folds(spec, data.rows(), k, seed)) {
        parts.add(new Part(f.trainData(), f.testData(), f.preprocessor()));
      }
      return parts;
    }
    Dataset all = data.samples();
    int[] fold = Splits.folds(strata(all), all.size(), k, seed);
    for (int f = 0; f < k; f++) {
      int held = f;
      parts.add(new Part(all.select(IntStream.range(0, fold.length).filter(i -> fold[i] != held).toArray()),
          all.select(Splits.where(fold, f)), null));
    }
    return parts;
  }

  /** A seeded, stratified validation split (see {@link Splits#validation}). */
  public static Part validation(CheckedSpec spec, Source data, double fraction, long seed) {
    if (data.rows() != null) {
      TabularData t = TabularData.fit(spec, data.rows(), null, fraction, seed);
      return new Part(t.split().train(), t.validationData(), t.preprocessor());
    }
    Dataset all = data.samples();
    boolean[] held = Splits.validation(strata(all), all.size(), fraction, seed);
    return new Part(all.select(Splits.where(held, false)), all.select(Splits.where(held, true)), null);
  }

  /** All the data trains; a table's preprocessing is fitted on every row. */
  public static Part whole(CheckedSpec spec, Source data) {
    if (data.rows() != null) {
      TabularData t = TabularData.fit(spec, data.rows(), null, 0, spec.training().seed());
      return new Part(t.split().train(), null, t.preprocessor());
    }
    return new Part(data.samples(), null, null);
  }

  /** Class labels as strata, or null for regression targets. */
  private static String[] strata(Dataset all) {
    return all.labels() == null ? null : Arrays.stream(all.labels()).mapToObj(Integer::toString).toArray(String[]::new);
  }
}
