package dev.rosetta.parity;

import java.util.Locale;

/**
 * How far the reference backend drifts from itself over the trajectory rows when one copy of it
 * is made to round differently at every step, with mathematics unchanged: the float32 noise
 * floor. A ReLU network trained in float32 amplifies last-bit differences, so two correct
 * implementations can drift apart over an epoch exactly as far as one implementation drifts from
 * itself; the floor measures that scale on the very run being judged.
 *
 * <p>Each row's floor is the larger of the kinds measured ({@link Kind}), and the report says
 * which kind set it. Rows at initialisation and at step N have no floor: they compare one
 * computation on identical weights and are judged by fixed bounds alone.
 *
 * @param lossMaxRel max over epoch 1 of the per-step loss relative difference
 * @param weightsRelL2End relative L2 of the weights after epoch 1
 * @param accuracyPoints test accuracy points apart after training (not measured without a
 *     labelled test set)
 * @param testLossRel relative difference of the test loss after training (not measured without
 *     a test set)
 */
public record NoiseFloor(
    Row lossMaxRel, Row weightsRelL2End, Row accuracyPoints, Row testLossRel) {

  /** A floor without the test-loss row. */
  public NoiseFloor(Row lossMaxRel, Row weightsRelL2End, Row accuracyPoints) {
    this(lossMaxRel, weightsRelL2End, accuracyPoints, Row.NONE);
  }

  /** What perturbed the reference's copy. */
  public enum Kind {
    /** The copy ran its kernels on another number of intra-op threads: another reduction order. */
    THREADS("threads"),
    /** After every update each of the copy's trainable values moved one ulp up, down or not at all. */
    NUDGE("nudge");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** One row's floor and the kind that set it (null kind: not measured). */
  public record Row(double value, Kind kind) {
    public static final Row NONE = new Row(Double.NaN, null);

    public boolean measured() {
      return kind != null && !Double.isNaN(value);
    }

    /** The larger of two measurements of the same row. */
    static Row max(Row a, Row b) {
      if (!a.measured()) {
        return b;
      }
      if (!b.measured()) {
        return a;
      }
      return b.value > a.value ? b : a;
    }

    @Override
    public String toString() {
      return measured() ? String.format(Locale.ROOT, "%.2e (%s)", value, kind.label()) : "-";
    }
  }

  public static final NoiseFloor NONE = new NoiseFloor(Row.NONE, Row.NONE, Row.NONE, Row.NONE);

  public boolean measured() {
    return lossMaxRel.measured() || weightsRelL2End.measured() || accuracyPoints.measured() || testLossRel.measured();
  }

  /** Row by row, the larger of two floors. */
  NoiseFloor max(NoiseFloor o) {
    return new NoiseFloor(
        Row.max(lossMaxRel, o.lossMaxRel), Row.max(weightsRelL2End, o.weightsRelL2End),
        Row.max(accuracyPoints, o.accuracyPoints), Row.max(testLossRel, o.testLossRel));
  }
}
