package dev.rosetta.train;

/**
 * Keras's test of whether a monitored figure improved on the best so far: for a figure that
 * should fall, {@code value + min_delta < best}; for one that should rise, {@code value -
 * min_delta > best}. With no best yet (NaN), any value improves.
 */
record Improvement(boolean maximize, double minDelta) {
  boolean over(double value, double best) {
    if (Double.isNaN(best)) {
      return true;
    }
    return maximize ? value - minDelta > best : value + minDelta < best;
  }
}
