package dev.rosetta.tabular;

import dev.rosetta.data.DataException;
import dev.rosetta.weights.Initializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded, stratified partitions of a table's rows: cross-validation folds and a validation
 * split. Rows are shuffled with a SplittableRandom stream keyed by the seed (as every other
 * random choice in Rosetta), then dealt out class by class, so each fold holds each class in
 * proportion (counts differ by at most one) and the same seed gives the same folds on every
 * backend. Without labels (a regression target) the shuffled rows are dealt out as one stratum.
 */
public final class Splits {
  private Splits() {}

  /**
   * The fold of each row, 0..k-1.
   *
   * @param strata one label per row (class names), or null for a single stratum
   */
  public static int[] folds(String[] strata, int n, int k, long seed) {
    if (k < 2) {
      throw new DataException("cross-validation needs at least 2 folds (got " + k + ")");
    }
    if (k > n) {
      throw new DataException("cannot make " + k + " folds of " + n + " rows");
    }
    int[] fold = new int[n];
    int next = 0;
    for (List<Integer> group : groups(strata, n, seed, "folds")) {
      for (int r : group) {
        fold[r] = next;
        next = (next + 1) % k;
      }
    }
    return fold;
  }

  /**
   * Which rows form the validation part: {@code round(fraction * count)} of every class (at least
   * one of a class with two or more rows), taken from the front of its shuffled rows.
   *
   * @param fraction in (0, 1)
   */
  public static boolean[] validation(String[] strata, int n, double fraction, long seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new DataException("the validation fraction must be in (0, 1), got " + fraction);
    }
    boolean[] held = new boolean[n];
    for (List<Integer> group : groups(strata, n, seed, "validation")) {
      int take = (int) Math.round(fraction * group.size());
      if (take == 0 && group.size() >= 2) {
        take = 1;
      }
      take = Math.min(take, group.size() - 1);
      for (int i = 0; i < take; i++) {
        held[group.get(i)] = true;
      }
    }
    return held;
  }

  /** Row indexes of each stratum (in order of first appearance), each shuffled. */
  private static List<List<Integer>> groups(String[] strata, int n, long seed, String purpose) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(Initializer.streamSeed(seed, "split/" + purpose));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    Map<String, List<Integer>> by = new LinkedHashMap<>();
    for (int r : order) {
      by.computeIfAbsent(strata == null ? "" : strata[r], s -> new ArrayList<>()).add(r);
    }
    return new ArrayList<>(by.values());
  }

  /** The rows whose mark equals {@code value}, in file order. */
  public static int[] where(int[] marks, int value) {
    return java.util.stream.IntStream.range(0, marks.length).filter(i -> marks[i] == value).toArray();
  }

  /** The rows whose flag equals {@code value}, in file order. */
  public static int[] where(boolean[] flags, boolean value) {
    return java.util.stream.IntStream.range(0, flags.length).filter(i -> flags[i] == value).toArray();
  }
}
