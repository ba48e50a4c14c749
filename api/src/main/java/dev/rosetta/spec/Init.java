package dev.rosetta.spec;

import java.util.Arrays;
import java.util.Optional;

/** Initialisation schemes; all are generated in Java from the spec's seed. */
public enum Init implements Codec.Named {
  /** PyTorch's default for Linear: uniform in ±1/√fan_in (weight and bias). */
  UNIFORM_FAN_IN,
  /** Glorot uniform: ±√(6 / (fan_in + fan_out)). */
  XAVIER_UNIFORM,
  /** He uniform for ReLU: ±√(6 / fan_in). */
  KAIMING_UNIFORM,
  ZEROS,
  ONES;

  public static Optional<Init> fromJson(String name) {
    return Arrays.stream(values()).filter(i -> i.jsonName().equals(name)).findFirst();
  }
}
