package dev.rosetta.parity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How closely two backends agree when they train the same spec from the same weights on the
 * same batches, checked against the parity contract (docs: ARCHITECTURE.md, "Parity
 * contract"). Relative L2 is {@code ||a - b|| / ||a||} over all parameters concatenated, with
 * {@code a} the reference backend.
 *
 * @param reference name of the reference backend (the {@code a} of every relative figure)
 * @param candidate name of the backend checked against it
 * @param forwardMaxAbs max abs difference of the outputs at initialisation on one test batch
 * @param gradRelL2 relative L2 of the step-1 gradients
 * @param lossMaxRel max over every step of epoch 1 of {@code |la - lb| / max(|la|, |lb|)}
 * @param lossMaxRelStep the 1-based step where {@link #lossMaxRel} occurs
 * @param weightsStep the step after which {@link #weightsRelL2} was taken (N, or the last
 *     step if the run is shorter)
 * @param weightsRelL2 relative L2 of the weights after {@link #weightsStep} steps
 * @param weightsRelL2End relative L2 of the weights after epoch 1 (the contract's "one epoch")
 * @param accuracyReference test accuracy (fraction) of the reference at the end, NaN without a
 *     labelled test set
 * @param accuracyCandidate the same for the candidate
 * @param noiseFloor the same figures for the reference against itself started one ulp off
 *     ({@link ParityRunner#optNoiseFloor}); {@link NoiseFloor#NONE} when not measured
 */
public record ParityReport(
    String reference, String candidate, int epochs, long steps, double forwardMaxAbs,
    double gradRelL2, double lossMaxRel, long lossMaxRelStep, long weightsStep,
    double weightsRelL2, double weightsRelL2End, double accuracyReference,
    double accuracyCandidate, NoiseFloor noiseFloor) {

  /**
   * A failing row whose value is at most this many times its noise floor is annotated: the
   * backends disagree no more than float32 rounding alone makes one backend disagree with itself.
   */
  public static final double NOISE_FLOOR_FACTOR = 10;

  public static final double FORWARD_MAX_ABS = 1e-5;
  public static final double GRAD_REL_L2 = 1e-5;
  public static final double WEIGHTS_REL_L2_AFTER_N = 1e-5;
  public static final double LOSS_MAX_REL = 1e-3;
  public static final double WEIGHTS_REL_L2_END = 5e-3;
  /** Accuracy points (percent), not a fraction. */
  public static final double ACCURACY_POINTS = 0.5;

  /** A report without a noise floor. */
  public ParityReport(
      String reference, String candidate, int epochs, long steps, double forwardMaxAbs,
      double gradRelL2, double lossMaxRel, long lossMaxRelStep, long weightsStep,
      double weightsRelL2, double weightsRelL2End, double accuracyReference,
      double accuracyCandidate) {
    this(reference, candidate, epochs, steps, forwardMaxAbs, gradRelL2, lossMaxRel, lossMaxRelStep,
        weightsStep, weightsRelL2, weightsRelL2End, accuracyReference, accuracyCandidate, NoiseFloor.NONE);
  }

  public ParityReport {
    noiseFloor = noiseFloor == null ? NoiseFloor.NONE : noiseFloor;
  }

  /**
   * How far the reference drifts from itself when started from weights one ulp off (see {@link
   * ParityRunner#nudge}), on the same batches and dropout steps: the trajectory rows of the
   * contract measured for the nudged reference against the reference. Only rows that compare
   * trajectories have a floor; the forward and gradient rows at init compare one computation on
   * identical weights, where a perturbed start would measure the perturbation, not chaos. NaN
   * where not measured.
   *
   * @param weightsRelL2 relative L2 after the same {@link #weightsStep} steps
   * @param lossMaxRel max over every step of the per-step loss relative difference
   * @param weightsRelL2End relative L2 at the end of the run
   * @param accuracyPointsApart test accuracy points apart at the end
   */
  public record NoiseFloor(double weightsRelL2, double lossMaxRel, double weightsRelL2End, double accuracyPointsApart) {
    public static final NoiseFloor NONE = new NoiseFloor(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** Whether any row has a floor. */
    public boolean measured() {
      return !Double.isNaN(weightsRelL2) || !Double.isNaN(lossMaxRel) || !Double.isNaN(weightsRelL2End)
          || !Double.isNaN(accuracyPointsApart);
    }
  }

  /**
   * One row of the contract.
   *
   * @param key the JSON key of the value
   * @param noiseFloor the same figure for the reference against itself started one ulp off, NaN
   *     when not measured
   */
  public record Check(String name, String key, double value, double bound, boolean pass, double noiseFloor) {
    /**
     * A failing row within {@link #NOISE_FLOOR_FACTOR} times its (measured) noise floor. Still a
     * failure: the annotation explains it, it does not excuse it.
     */
    public boolean failsAtNoiseFloor() {
      return !pass && !Double.isNaN(noiseFloor) && value <= NOISE_FLOOR_FACTOR * noiseFloor;
    }
  }

  /** Every row that applies to this run; accuracy only with a labelled test set. */
  public List<Check> checks() {
    List<Check> c = new ArrayList<>();
    NoiseFloor f = noiseFloor;
    c.add(check("forward output at init, max abs diff", "forward_max_abs", forwardMaxAbs, FORWARD_MAX_ABS, Double.NaN));
    c.add(check("gradients at step 1, relative L2", "grad_rel_l2", gradRelL2, GRAD_REL_L2, Double.NaN));
    c.add(check("weights after " + weightsStep + " steps, relative L2", "weights_rel_l2", weightsRelL2,
        WEIGHTS_REL_L2_AFTER_N, f.weightsRelL2()));
    c.add(check("per-step loss over epoch 1, max relative diff (step " + lossMaxRelStep + ")", "loss_max_rel", lossMaxRel,
        LOSS_MAX_REL, f.lossMaxRel()));
    c.add(check("weights after epoch 1 (" + stepsPerEpoch() + " steps), relative L2",
        "weights_rel_l2_end", weightsRelL2End, WEIGHTS_REL_L2_END, f.weightsRelL2End()));
    if (!Double.isNaN(accuracyReference) || !Double.isNaN(accuracyCandidate)) {
      c.add(check("test accuracy, points apart", "accuracy_points_apart", accuracyPointsApart(), ACCURACY_POINTS,
          f.accuracyPointsApart()));
    }
    return c;
  }

  /** Every epoch has the same number of batches. */
  long stepsPerEpoch() {
    return epochs > 0 ? steps / epochs : steps;
  }

  /** {@code |accA - accB|} in percentage points. */
  public double accuracyPointsApart() {
    return Math.abs(accuracyReference - accuracyCandidate) * 100;
  }

  /** Every row within its bound (a NaN value never is). */
  public boolean pass() {
    return checks().stream().allMatch(Check::pass);
  }

  /**
   * With a measured noise floor: every failing row is within {@link #NOISE_FLOOR_FACTOR} times
   * its floor (true when nothing fails). False without a floor.
   */
  public boolean failuresAtNoiseFloor() {
    return noiseFloor.measured() && checks().stream().allMatch(c -> c.pass() || c.failsAtNoiseFloor());
  }

  private static Check check(String name, String key, double value, double bound, double floor) {
    return new Check(name, key, value, bound, value <= bound, floor);
  }

  public static final String AT_NOISE_FLOOR = "FAIL (within 10x the float32 noise floor)";

  /**
   * An aligned text table: check, value, bound, (noise floor,) PASS/FAIL; then the accuracies
   * and the verdict. A failing row within 10x its noise floor says so, and a line under the
   * table tells what that means; the verdict stays FAIL.
   */
  public String toTable() {
    List<Check> checks = checks();
    boolean floor = noiseFloor.measured();
    String h1 = "check (" + candidate + " vs " + reference + ")";
    int w = h1.length();
    for (Check c : checks) {
      w = Math.max(w, c.name().length());
    }
    StringBuilder sb = new StringBuilder();
    String fmt = floor ? "%-" + w + "s  %-10s  %-8s  %-11s  %s%n" : "%-" + w + "s  %-10s  %-8s  %s%n";
    sb.append(floor
        ? String.format(Locale.ROOT, fmt, h1, "value", "bound", "noise floor", "result")
        : String.format(Locale.ROOT, fmt, h1, "value", "bound", "result"));
    sb.append("-".repeat(w + (floor ? 45 : 32))).append('\n');
    boolean annotated = false;
    for (Check c : checks) {
      String result = c.pass() ? "PASS" : c.failsAtNoiseFloor() ? AT_NOISE_FLOOR : "FAIL";
      annotated |= c.failsAtNoiseFloor();
      sb.append(floor
          ? String.format(Locale.ROOT, fmt, c.name(), sci(c.value()), sci(c.bound()),
              Double.isNaN(c.noiseFloor()) ? "-" : sci(c.noiseFloor()), result)
          : String.format(Locale.ROOT, fmt, c.name(), sci(c.value()), sci(c.bound()), result));
    }
    if (annotated) {
      sb.append(String.format(Locale.ROOT,
          "noise floor: %s against itself started one ulp off in every 7th weight; a failure within 10x of it"
              + " is chaotic float32 training, not a backend bug (still a failure of the contract)%n", reference));
    }
    if (!Double.isNaN(accuracyReference) || !Double.isNaN(accuracyCandidate)) {
      sb.append(String.format(Locale.ROOT, "test accuracy: %s %.2f%%, %s %.2f%%%n",
          reference, accuracyReference * 100, candidate, accuracyCandidate * 100));
    }
    sb.append(pass() ? "PASS" : "FAIL").append('\n');
    return sb.toString();
  }

  private static String sci(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2e", v) : String.valueOf(v);
  }

  /**
   * One line of JSON: the figures under fixed keys ({@code accuracy_<backend>} per backend), the
   * verdict, and every row with its bound. With a measured noise floor also {@code noise_floor}
   * (row key to floor, measured rows only) and {@code failures_at_noise_floor} (see {@link
   * #failuresAtNoiseFloor}); both are absent without one.
   */
  public String toJson() {
    String accA = "accuracy_" + reference;
    String accB = "accuracy_" + candidate;
    if (accA.equals(accB)) {
      accA += "_reference";
      accB += "_candidate";
    }
    StringBuilder sb = new StringBuilder("{");
    field(sb, "reference", quote(reference));
    field(sb, "candidate", quote(candidate));
    field(sb, "epochs", Integer.toString(epochs));
    field(sb, "steps", Long.toString(steps));
    field(sb, "forward_max_abs", num(forwardMaxAbs));
    field(sb, "grad_rel_l2", num(gradRelL2));
    field(sb, "loss_max_rel", num(lossMaxRel));
    field(sb, "loss_max_rel_step", Long.toString(lossMaxRelStep));
    field(sb, "weights_step", Long.toString(weightsStep));
    field(sb, "weights_rel_l2", num(weightsRelL2));
    field(sb, "weights_rel_l2_end", num(weightsRelL2End));
    field(sb, accA, num(accuracyReference));
    field(sb, accB, num(accuracyCandidate));
    field(sb, "pass", Boolean.toString(pass()));
    StringBuilder rows = new StringBuilder("[");
    for (Check c : checks()) {
      if (rows.length() > 1) {
        rows.append(',');
      }
      rows.append(String.format(Locale.ROOT, "{\"check\":%s,\"key\":%s,\"value\":%s,\"bound\":%s,\"pass\":%b}",
          quote(c.name()), quote(c.key()), num(c.value()), num(c.bound()), c.pass()));
    }
    field(sb, "checks", rows.append(']').toString());
    if (noiseFloor.measured()) {
      StringBuilder floors = new StringBuilder("{");
      for (Check c : checks()) {
        if (!Double.isNaN(c.noiseFloor())) {
          field(floors, c.key(), num(c.noiseFloor()));
        }
      }
      field(sb, "noise_floor", floors.append('}').toString());
      field(sb, "failures_at_noise_floor", Boolean.toString(failuresAtNoiseFloor()));
    }
    return sb.append('}').toString();
  }

  private static void field(StringBuilder sb, String key, String json) {
    if (sb.length() > 1) {
      sb.append(',');
    }
    sb.append(quote(key)).append(':').append(json);
  }

  /** JSON has no NaN or infinity: those become null. */
  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (ch < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
