package dev.rosetta.cli.bench;

import java.util.List;

/**
 * One contender's figures in one round. Training: samples/s over the timed windows. Inference:
 * samples/s at the large batch, and batch-1 latency percentiles (NaN for training).
 *
 * @param windowRates samples/s of each timed window, in order
 */
public record Measurement(double samplesPerSecond, List<Double> windowRates, double p50Millis, double p99Millis) {
  public Measurement {
    windowRates = List.copyOf(windowRates);
  }

  static Measurement training(double samplesPerSecond, List<Double> windowRates) {
    return new Measurement(samplesPerSecond, windowRates, Double.NaN, Double.NaN);
  }
}
