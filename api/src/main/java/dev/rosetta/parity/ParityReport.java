package dev.rosetta.parity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How closely two backends agree when they train the same spec from the same weights on the
 * same batches, judged by the parity contract v2 (docs/parity.md). Relative L2 is {@code ||a -
 * b|| / ||a||} over all parameters and buffers concatenated, with {@code a} the reference.
 *
 * <p>The rows at initialisation and after N steps are judged by their fixed bounds alone. The
 * trajectory rows (per-step loss over epoch 1, weights after epoch 1, test accuracy after
 * training) pass within their fixed bound, or within {@link #k} times the measured per-step
 * float32 {@link NoiseFloor} of the reference; {@link #strict} judges them by fixed bounds only.
 *
 * @param reference name of the reference backend (the {@code a} of every relative figure)
 * @param candidate name of the backend checked against it
 * @param forwardMaxAbs max abs difference of the outputs at initialisation on one test batch
 * @param gradRelL2 relative L2 of the step-1 gradients
 * @param lossMaxRel max over every step of epoch 1 of {@code |la - lb| / max(|la|, |lb|)}
 * @param lossMaxRelStep the 1-based step where {@link #lossMaxRel} occurs
 * @param weightsStep the step after which {@link #weightsRelL2} was taken (N, or the last step if
 *     the run is shorter)
 * @param weightsRelL2 relative L2 of the weights after {@link #weightsStep} steps
 * @param weightsRelL2End relative L2 of the weights after epoch 1
 * @param accuracyReference test accuracy (fraction) of the reference at the end, NaN without a
 *     labelled test set
 * @param accuracyCandidate the same for the candidate
 * @param noiseFloor the trajectory rows for the reference against itself; {@link
 *     NoiseFloor#NONE} when not measured
 * @param strict judge every row by its fixed bound only
 * @param k how many times its noise floor a trajectory row may be
 * @param weightsRelL2ByTensor each tensor alone after {@link #weightsStep} steps, in the spec's
 *     order (every attention parameter has its own figure): the candidate's relative L2 and the
 *     reference's own on another thread count; empty when not measured
 * @param testLossReference the reference's loss on the test set after training (a language
 *     model's validation loss), NaN without a test set
 * @param testLossCandidate the same for the candidate
 */
public record ParityReport(
    String reference, String candidate, int epochs, long steps, double forwardMaxAbs,
    double gradRelL2, double lossMaxRel, long lossMaxRelStep, long weightsStep,
    double weightsRelL2, double weightsRelL2End, double accuracyReference,
    double accuracyCandidate, NoiseFloor noiseFloor, boolean strict, double k,
    Map<String, TensorDrift> weightsRelL2ByTensor, double testLossReference, double testLossCandidate) {

  /** The contract's k: a trajectory row may be this many times its noise floor. */
  public static final double K = 3;

  public static final double FORWARD_MAX_ABS = 1e-5;
  public static final double GRAD_REL_L2 = 1e-5;
  public static final double WEIGHTS_REL_L2_AFTER_N = 1e-5;
  public static final double LOSS_MAX_REL = 1e-3;
  public static final double WEIGHTS_REL_L2_END = 5e-3;
  /** Accuracy points (percent), not a fraction. */
  public static final double ACCURACY_POINTS = 0.5;

  public ParityReport {
    noiseFloor = noiseFloor == null ? NoiseFloor.NONE : noiseFloor;
    weightsRelL2ByTensor = weightsRelL2ByTensor == null
        ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(weightsRelL2ByTensor));
  }

  /** A report without per-tensor figures or test losses. */
  public ParityReport(
      String reference, String candidate, int epochs, long steps, double forwardMaxAbs,
      double gradRelL2, double lossMaxRel, long lossMaxRelStep, long weightsStep,
      double weightsRelL2, double weightsRelL2End, double accuracyReference,
      double accuracyCandidate, NoiseFloor noiseFloor, boolean strict, double k) {
    this(reference, candidate, epochs, steps, forwardMaxAbs, gradRelL2, lossMaxRel, lossMaxRelStep, weightsStep,
        weightsRelL2, weightsRelL2End, accuracyReference, accuracyCandidate, noiseFloor, strict, k, Map.of(),
        Double.NaN, Double.NaN);
  }

  /** A report without a noise floor, judged by the fixed bounds. */
  public ParityReport(
      String reference, String candidate, int epochs, long steps, double forwardMaxAbs,
      double gradRelL2, double lossMaxRel, long lossMaxRelStep, long weightsStep,
      double weightsRelL2, double weightsRelL2End, double accuracyReference,
      double accuracyCandidate) {
    this(reference, candidate, epochs, steps, forwardMaxAbs, gradRelL2, lossMaxRel, lossMaxRelStep,
        weightsStep, weightsRelL2, weightsRelL2End, accuracyReference, accuracyCandidate, NoiseFloor.NONE,
        false, K, Map.of(), Double.NaN, Double.NaN);
  }

  /** The same figures judged by the fixed bounds only. */
  public ParityReport strictly() {
    return new ParityReport(reference, candidate, epochs, steps, forwardMaxAbs, gradRelL2, lossMaxRel,
        lossMaxRelStep, weightsStep, weightsRelL2, weightsRelL2End, accuracyReference, accuracyCandidate,
        noiseFloor, true, k, weightsRelL2ByTensor, testLossReference, testLossCandidate);
  }

  /**
   * One tensor after N steps.
   *
   * @param candidate the candidate's relative L2 against the reference
   * @param threads the reference's own on another intra-op thread count (NaN when not measured):
   *     how far float32 rounding alone moves this tensor in N steps
   */
  public record TensorDrift(double candidate, double threads) {}

  /**
   * Each tensor's relative L2 after {@link #weightsStep} steps, beside the reference's own on
   * another thread count, one line each: {@code b1_attn.in_proj_weight  9.1e-08  1.2e-07}. The
   * contract's row is over all tensors together; this shows where a difference sits.
   */
  public String perTensorTable() {
    int width = Math.max(6, weightsRelL2ByTensor.keySet().stream().mapToInt(String::length).max().orElse(6));
    // Without the floor (--strict) the reference's own column is left out.
    boolean floor = weightsRelL2ByTensor.values().stream().anyMatch(v -> !Double.isNaN(v.threads()));
    String row = "  %-" + width + "s  %-10s" + (floor ? "  %s" : "") + "%n";
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "weights after %d steps, relative L2 per tensor:%n", weightsStep));
    sb.append(String.format(Locale.ROOT, row, "tensor", candidate, reference + " on other threads"));
    weightsRelL2ByTensor.forEach((name, v) ->
        sb.append(String.format(Locale.ROOT, row, name, sci(v.candidate()), Double.isNaN(v.threads()) ? "-" : sci(v.threads()))));
    return sb.toString();
  }

  /** Why a row passed or failed. */
  public enum Basis {
    /** Within its fixed bound. */
    BOUND("bound"),
    /** Beyond its fixed bound, within k times its noise floor. */
    FLOOR("floor"),
    FAIL("fail");

    private final String label;

    Basis(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * One row of the contract.
   *
   * @param key the JSON key of the value
   * @param floor the row's noise floor, {@link NoiseFloor.Row#NONE} for rows judged by their
   *     bound alone or when not measured
   */
  public record Check(String name, String key, double value, double bound, NoiseFloor.Row floor, Basis basis, double k) {
    public boolean pass() {
      return basis != Basis.FAIL;
    }

    /** {@code PASS}, {@code PASS (3.0e-02 <= 3 x floor 2.2e-02)}, {@code FAIL}. */
    public String verdict() {
      return switch (basis) {
        case BOUND -> "PASS";
        case FLOOR -> String.format(Locale.ROOT, "PASS (%s <= %s x floor %s)", sci(value), trim(k), sci(floor.value()));
        case FAIL -> floor.measured()
            ? String.format(Locale.ROOT, "FAIL (> %s x floor %s)", trim(k), sci(floor.value()))
            : "FAIL";
      };
    }
  }

  /** Every row that applies to this run; accuracy only with a labelled test set. */
  public List<Check> checks() {
    List<Check> c = new ArrayList<>();
    NoiseFloor f = noiseFloor;
    c.add(fixed("forward output at init, max abs diff", "forward_max_abs", forwardMaxAbs, FORWARD_MAX_ABS));
    c.add(fixed("gradients at step 1, relative L2", "grad_rel_l2", gradRelL2, GRAD_REL_L2));
    c.add(fixed("weights after " + weightsStep + " steps, relative L2", "weights_rel_l2", weightsRelL2,
        WEIGHTS_REL_L2_AFTER_N));
    c.add(trajectory("per-step loss over epoch 1, max relative diff (step " + lossMaxRelStep + ")", "loss_max_rel",
        lossMaxRel, LOSS_MAX_REL, f.lossMaxRel()));
    c.add(trajectory("weights after epoch 1 (" + stepsPerEpoch() + " steps), relative L2", "weights_rel_l2_end",
        weightsRelL2End, WEIGHTS_REL_L2_END, f.weightsRelL2End()));
    if (!Double.isNaN(accuracyReference) || !Double.isNaN(accuracyCandidate)) {
      c.add(trajectory("test accuracy, points apart", "accuracy_points_apart", accuracyPointsApart(), ACCURACY_POINTS,
          f.accuracyPoints()));
    }
    if (!Double.isNaN(testLossReference) || !Double.isNaN(testLossCandidate)) {
      c.add(trajectory("test loss after training, relative diff", "test_loss_rel", testLossRel(), LOSS_MAX_REL,
          f.testLossRel()));
    }
    return c;
  }

  private Check fixed(String name, String key, double value, double bound) {
    return new Check(name, key, value, bound, NoiseFloor.Row.NONE, value <= bound ? Basis.BOUND : Basis.FAIL, k);
  }

  /** Within the bound; else, unless strict, within k times a measured floor (NaN never passes). */
  private Check trajectory(String name, String key, double value, double bound, NoiseFloor.Row floor) {
    Basis b;
    if (value <= bound) {
      b = Basis.BOUND;
    } else if (!strict && floor.measured() && value <= k * floor.value()) {
      b = Basis.FLOOR;
    } else {
      b = Basis.FAIL;
    }
    return new Check(name, key, value, bound, strict ? NoiseFloor.Row.NONE : floor, b, k);
  }

  /** Every epoch has the same number of batches. */
  long stepsPerEpoch() {
    return epochs > 0 ? steps / epochs : steps;
  }

  /** {@code |accA - accB|} in percentage points. */
  public double accuracyPointsApart() {
    return Math.abs(accuracyReference - accuracyCandidate) * 100;
  }

  /** {@code |la - lb| / max(|la|, |lb|)} of the test losses after training. */
  public double testLossRel() {
    return ParityRunner.relDiff(testLossReference, testLossCandidate);
  }

  /** Every row passes. */
  public boolean pass() {
    return checks().stream().allMatch(Check::pass);
  }

  /**
   * An aligned text table: check, value, bound, (noise floor,) verdict; then the accuracies and
   * the overall verdict.
   */
  public String toTable() {
    List<Check> checks = checks();
    boolean floors = !strict && noiseFloor.measured();
    String h1 = "check (" + candidate + " vs " + reference + ")";
    int w = h1.length();
    for (Check c : checks) {
      w = Math.max(w, c.name().length());
    }
    StringBuilder sb = new StringBuilder();
    String fmt = floors ? "%-" + w + "s  %-10s  %-8s  %-20s  %s%n" : "%-" + w + "s  %-10s  %-8s  %s%n";
    sb.append(floors
        ? String.format(Locale.ROOT, fmt, h1, "value", "bound", "noise floor", "result")
        : String.format(Locale.ROOT, fmt, h1, "value", "bound", "result"));
    sb.append("-".repeat(w + (floors ? 54 : 32))).append('\n');
    for (Check c : checks) {
      sb.append(floors
          ? String.format(Locale.ROOT, fmt, c.name(), sci(c.value()), sci(c.bound()), c.floor().toString(), c.verdict())
          : String.format(Locale.ROOT, fmt, c.name(), sci(c.value()), sci(c.bound()), c.verdict()));
    }
    if (floors) {
      sb.append(String.format(Locale.ROOT,
          "noise floor: %s against itself, on other thread counts (threads) and with one-ulp nudges after every"
              + " update (nudge); a trajectory row passes within its bound or %s x its floor%n", reference, trim(k)));
    } else if (strict) {
      sb.append("strict: every row judged by its fixed bound alone\n");
    }
    if (!Double.isNaN(accuracyReference) || !Double.isNaN(accuracyCandidate)) {
      sb.append(String.format(Locale.ROOT, "test accuracy: %s %.2f%%, %s %.2f%%%n",
          reference, accuracyReference * 100, candidate, accuracyCandidate * 100));
    }
    if (!Double.isNaN(testLossReference) || !Double.isNaN(testLossCandidate)) {
      sb.append(String.format(Locale.ROOT, "test loss: %s %.6f (%.4f bits/token), %s %.6f (%.4f bits/token)%n",
          reference, testLossReference, testLossReference / Math.log(2), candidate, testLossCandidate,
          testLossCandidate / Math.log(2)));
    }
    sb.append(pass() ? "PASS" : "FAIL").append('\n');
    return sb.toString();
  }

  static String sci(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2e", v) : String.valueOf(v);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /**
   * One line of JSON: the figures under fixed keys ({@code accuracy_<backend>} per backend), the
   * verdict, {@code k} and {@code strict}, and every row with its bound, noise floor, the kind
   * that set it and the basis of its verdict. With a measured floor also {@code noise_floor} and
   * {@code noise_floor_kind}, row key to value and to kind.
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
    if (!Double.isNaN(testLossReference) || !Double.isNaN(testLossCandidate)) {
      field(sb, accA.replace("accuracy_", "test_loss_"), num(testLossReference));
      field(sb, accB.replace("accuracy_", "test_loss_"), num(testLossCandidate));
    }
    field(sb, "pass", Boolean.toString(pass()));
    field(sb, "k", num(k));
    field(sb, "strict", Boolean.toString(strict));
    StringBuilder rows = new StringBuilder("[");
    StringBuilder floors = new StringBuilder("{");
    StringBuilder kinds = new StringBuilder("{");
    for (Check c : checks()) {
      if (rows.length() > 1) {
        rows.append(',');
      }
      rows.append(String.format(Locale.ROOT,
          "{\"check\":%s,\"key\":%s,\"value\":%s,\"bound\":%s,\"floor\":%s,\"floor_kind\":%s,\"basis\":%s,\"pass\":%b}",
          quote(c.name()), quote(c.key()), num(c.value()), num(c.bound()), num(c.floor().value()),
          c.floor().measured() ? quote(c.floor().kind().label()) : "null", quote(c.basis().label()), c.pass()));
      if (c.floor().measured()) {
        field(floors, c.key(), num(c.floor().value()));
        field(kinds, c.key(), quote(c.floor().kind().label()));
      }
    }
    field(sb, "checks", rows.append(']').toString());
    if (!weightsRelL2ByTensor.isEmpty()) {
      StringBuilder per = new StringBuilder("{");
      weightsRelL2ByTensor.forEach((name, v) -> field(per, name,
          "{\"candidate\":" + num(v.candidate()) + ",\"threads\":" + num(v.threads()) + "}"));
      field(sb, "weights_rel_l2_by_tensor", per.append('}').toString());
    }
    if (floors.length() > 1) {
      field(sb, "noise_floor", floors.append('}').toString());
      field(sb, "noise_floor_kind", kinds.append('}').toString());
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
