package dev.rosetta.tabular;

import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import java.util.List;

/**
 * A table's training (and optionally validation and test) rows, preprocessed with statistics
 * fitted on the training part alone. The validation part is a seeded, stratified split of the
 * training file that the statistics and the optimizer never see.
 *
 * @param validation null without a validation split
 * @param test null without a test file
 */
public record TabularData(
    Preprocessor preprocessor, Preprocessor.Prepared train, Preprocessor.Prepared validation, Preprocessor.Prepared test) {

  /**
   * Fits the spec's preprocessing on {@code train} (less the validation part) and applies it to
   * every part.
   *
   * @param test may be null
   * @param validationFraction 0 for no validation split, else in (0, 1)
   * @param seed the validation split's seed (the spec's training seed)
   * @throws dev.rosetta.data.DataException for data the preprocessing cannot fit or apply, or a
   *     fitted width other than the spec's input
   */
  public static TabularData fit(CheckedSpec spec, RawRows train, RawRows test, double validationFraction, long seed) {
    return prepare(spec, train, test, validationFraction, seed, null);
  }

  /**
   * As {@link #fit}, or, when {@code fitted} is given (a checkpoint's statistics, for
   * fine-tuning), applying those instead of fitting new ones.
   */
  public static TabularData prepare(
      CheckedSpec spec, RawRows train, RawRows test, double validationFraction, long seed, Preprocessor fitted) {
    List<String> classes = spec.loss().classifies() ? Preprocessor.classesOf(train) : null;
    RawRows fitOn = train;
    RawRows held = null;
    if (validationFraction > 0) {
      boolean[] v = Splits.validation(spec.loss().classifies() ? train.labels() : null, train.size(), validationFraction, seed);
      fitOn = train.select(Splits.where(v, false));
      held = train.select(Splits.where(v, true));
    }
    Preprocessor p = fitted != null ? fitted : Preprocessor.fit(spec, fitOn, classes);
    p.requireWidth(spec, fitted != null ? "the checkpoint's preprocessing" : train.source());
    return new TabularData(p, p.transform(fitOn), held == null ? null : p.transform(held), test == null ? null : p.transform(test));
  }

  /**
   * Applies statistics fitted before (a checkpoint's, for evaluation or fine-tuning) to every
   * part, fitting nothing.
   */
  public static TabularData apply(CheckedSpec spec, Preprocessor fitted, RawRows train, RawRows test) {
    fitted.requireWidth(spec, "the checkpoint's preprocessing");
    return new TabularData(fitted, train == null ? null : fitted.transform(train), null, test == null ? null : fitted.transform(test));
  }

  /** The training and test sets as model inputs. */
  public DataSplit split() {
    return new DataSplit(train == null ? null : train.data(), test == null ? null : test.data());
  }

  public Dataset validationData() {
    return validation == null ? null : validation.data();
  }
}
