package dev.rosetta.tabular;

import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The folds of a k-fold cross-validation of a table, each with its preprocessing fitted on its
 * training part alone: the held-out rows of a fold contribute to none of its statistics (fills,
 * centres, scales, vocabularies), exactly as they would be unseen data. Rows a {@code drop} step
 * removes are left out before the folds are dealt, so every fold is stratified over the rows a
 * model can read; the class names come from the whole file (see {@link Preprocessor#classesOf}).
 */
public final class CrossValidation {
  private CrossValidation() {}

  /**
   * One fold.
   *
   * @param index 0-based
   * @param preprocessor fitted on {@code train}'s rows only
   * @param train the fold's training part, preprocessed
   * @param test the held-out part, preprocessed with the same statistics
   */
  public record Fold(int index, Preprocessor preprocessor, Preprocessor.Prepared train, Preprocessor.Prepared test) {
    public Dataset trainData() {
      return train.data();
    }

    public Dataset testData() {
      return test.data();
    }
  }

  /**
   * Deals {@code rows} into {@code k} stratified folds (seeded) and prepares each.
   *
   * @throws dev.rosetta.data.DataException when a fold's training part cannot be fitted, or
   *     gives another input width than the spec's (a category missing from it)
   */
  public static List<Fold> folds(CheckedSpec spec, RawRows rows, int k, long seed) {
    List<Fold> out = new ArrayList<>();
    for (int f = 0; f < k; f++) {
      out.add(fold(spec, rows, k, seed, f));
    }
    return out;
  }

  /** Fold {@code index} of {@link #folds}, prepared alone. */
  public static Fold fold(CheckedSpec spec, RawRows rows, int k, long seed, int index) {
    List<String> classes = spec.loss().classifies() ? Preprocessor.classesOf(rows) : null;
    RawRows usable = Preprocessor.withoutDropped(rows, spec.spec().preprocess());
    int[] fold = Splits.folds(spec.loss().classifies() ? usable.labels() : null, usable.size(), k, seed);
    RawRows train = usable.select(IntStream.range(0, fold.length).filter(i -> fold[i] != index).toArray());
    RawRows test = usable.select(Splits.where(fold, index));
    Preprocessor p = Preprocessor.fit(spec, train, classes);
    p.requireWidth(spec, train.source() + " (fold " + (index + 1) + "'s training part)");
    return new Fold(index, p, p.transform(train), p.transform(test));
  }
}
