package dev.rosetta.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Times contenders in alternating rounds: every round visits every contender once, for the
 * same time, starting one place later each round, so a shared machine whose speed drifts slows
 * them alike and no contender always runs first or last. A contender that cannot run here is
 * recorded with its reason once and skipped after.
 */
public final class SideBySide {
  private SideBySide() {}

  /** Which figure a ratio compares; each as a speed, higher is better. */
  public enum Metric {
    /** Training samples/s. */
    TRAIN,
    /** Inference samples/s at the large batch. */
    THROUGHPUT,
    /** Batch-1 median latency, compared as calls per second (1 / p50). */
    LATENCY;

    double speed(Measurement m) {
      return this == LATENCY ? 1 / m.p50Millis() : m.samplesPerSecond();
    }
  }

  /**
   * A ratio to report: the contender named {@code numerator} against the best of the {@code
   * denominators} in the same round (a name covers all its thread counts), with its target.
   */
  public record Ratio(String label, String numerator, List<String> denominators, Metric metric, double target) {}

  /** One ratio's value in each round where both sides ran. */
  public record RatioSeries(Ratio ratio, List<Double> perRound) {
    public boolean met() {
      return !perRound.isEmpty() && median(perRound) >= ratio.target();
    }
  }

  /** Everything measured: per contender its rounds (or why it could not run), and the loads. */
  public record Results(
      List<Contender> contenders, Map<Contender, List<Measurement>> rounds, Map<Contender, String> unavailable,
      List<double[]> loads) {

    public List<RatioSeries> ratios(List<Ratio> wanted) {
      List<RatioSeries> out = new ArrayList<>();
      for (Ratio r : wanted) {
        List<Double> values = new ArrayList<>();
        int n = rounds.values().stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < n; i++) {
          double num = best(List.of(r.numerator()), r.metric(), i);
          double den = best(r.denominators(), r.metric(), i);
          if (num > 0 && den > 0) {
            values.add(num / den);
          }
        }
        if (!values.isEmpty()) {
          out.add(new RatioSeries(r, values));
        }
      }
      return out;
    }

    /** The best speed in round {@code i} among contenders with one of these names; NaN if none ran. */
    private double best(List<String> names, Metric metric, int i) {
      double best = Double.NaN;
      for (Contender c : contenders) {
        List<Measurement> m = rounds.get(c);
        if (names.contains(c.name()) && m != null && m.size() > i) {
          double v = metric.speed(m.get(i));
          if (Double.isNaN(best) || v > best) {
            best = v;
          }
        }
      }
      return best;
    }
  }

  /**
   * @param progress told after each measurement (label, round, figures), for live output
   */
  public static Results run(
      List<Contender> contenders, int rounds, double seconds, int warmup,
      Consumer<String> progress) {
    Map<Contender, List<Measurement>> measured = new LinkedHashMap<>();
    Map<Contender, String> unavailable = new LinkedHashMap<>();
    List<double[]> loads = new ArrayList<>();
    contenders.forEach(c -> measured.put(c, new ArrayList<>()));
    for (int r = 0; r < rounds; r++) {
      loads.add(loadAverage());
      List<Contender> order = new ArrayList<>(contenders);
      Collections.rotate(order, -(r % Math.max(1, order.size())));
      for (Contender c : order) {
        if (unavailable.containsKey(c)) {
          continue;
        }
        try {
          Measurement m = c.measure(seconds, warmup);
          measured.get(c).add(m);
          progress.accept(String.format(java.util.Locale.ROOT, "round %d/%d  %-22s %s", r + 1, rounds, c.label(), describe(m)));
        } catch (Contender.Unavailable e) {
          unavailable.put(c, e.getMessage());
          progress.accept(String.format(java.util.Locale.ROOT, "round %d/%d  %-22s not available: %s", r + 1, rounds, c.label(), e.getMessage()));
        }
      }
    }
    loads.add(loadAverage());
    measured.keySet().removeIf(unavailable::containsKey);
    return new Results(List.copyOf(contenders), measured, unavailable, loads);
  }

  static String describe(Measurement m) {
    String rate = String.format(java.util.Locale.ROOT, "%,.0f samples/s", m.samplesPerSecond());
    return Double.isNaN(m.p50Millis())
        ? rate
        : String.format(java.util.Locale.ROOT, "%s, batch-1 p50 %.3f ms, p99 %.3f ms", rate, m.p50Millis(), m.p99Millis());
  }

  public static double median(List<Double> values) {
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    int k = v.size();
    return k == 0 ? Double.NaN : k % 2 == 1 ? v.get(k / 2) : (v.get(k / 2 - 1) + v.get(k / 2)) / 2;
  }

  /** The 1-, 5- and 15-minute load averages (Linux), or NaNs. */
  public static double[] loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
    } catch (IOException | RuntimeException e) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }
  }
}
