package dev.rosetta.sweep;

import dev.rosetta.spec.Codec;
import dev.rosetta.spec.Field;
import dev.rosetta.spec.Kind;
import dev.rosetta.spec.Rule;
import dev.rosetta.spec.Schema;
import java.io.Serializable;

/**
 * How each trial of a sweep is judged ({@code evaluation}): k-fold cross-validation (as {@code
 * rosetta cv}: seeded, stratified folds, preprocessing fitted inside each fold) or one seeded,
 * stratified validation split (as {@code train --validation-split}).
 */
public sealed interface TrialEvaluation extends Serializable permits TrialEvaluation.KFold, TrialEvaluation.ValidationSplit {

  Kind<? extends TrialEvaluation> kind();

  <R> R accept(Visitor<R> v);

  /** Whether a trial's one model is also its final model (a validation split), or the best trial trains again on all the data (k-fold). */
  boolean judgesTheFinalModel();

  /** One method per evaluation kind. */
  interface Visitor<R> {
    R kFold(KFold k);

    R validationSplit(ValidationSplit v);
  }

  /** {@code folds} models per trial, each scored on its held-out fold; the best trial is then trained on all the rows. */
  record KFold(int folds) implements TrialEvaluation {
    private static final Field<KFold, Integer> FOLDS =
        Field.of("folds", Codec.INT, KFold::folds).orElse(5).must(Rule.of(v -> v >= 2, "must be >= 2"));
    public static final Kind<KFold> KIND = Kind.of("k_fold", KFold.class, Schema.of(KFold::new, FOLDS));

    @Override
    public Kind<KFold> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.kFold(this);
    }

    @Override
    public boolean judgesTheFinalModel() {
      return false;
    }
  }

  /** One model per trial, trained on the rest and scored on the held-out {@code fraction}; it is the trial's checkpoint. */
  record ValidationSplit(double fraction) implements TrialEvaluation {
    private static final Field<ValidationSplit, Double> FRACTION = Field.of("fraction", Codec.NUMBER, ValidationSplit::fraction)
        .orElse(0.2).must(Rule.of(v -> v > 0 && v < 1, "must be in (0, 1)"));
    public static final Kind<ValidationSplit> KIND =
        Kind.of("validation_split", ValidationSplit.class, Schema.of(ValidationSplit::new, FRACTION));

    @Override
    public Kind<ValidationSplit> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.validationSplit(this);
    }

    @Override
    public boolean judgesTheFinalModel() {
      return true;
    }
  }
}
