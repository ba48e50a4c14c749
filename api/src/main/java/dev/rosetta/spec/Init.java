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
  ONES,
  /** Standard normal N(0, 1): PyTorch's default for Embedding. */
  NORMAL,
  /** N(0, 0.02^2): GPT-2's initialisation of embeddings and projections. */
  NORMAL_SMALL {
    @Override
    public String jsonName() {
      return "normal_0.02";
    }
  };

  public static Optional<Init> fromJson(String name) {
    return Arrays.stream(values()).filter(i -> i.jsonName().equals(name)).findFirst();
  }
}
