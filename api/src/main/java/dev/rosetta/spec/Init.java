package dev.rosetta.spec;

import java.util.Arrays;
import java.util.Optional;

/** Initialisation schemes; all are generated in Java from the spec's seed. */
public enum Init implements Codec.Named {
  /** PyTorch's default for Linear: uniform in ±1/√fan_in (weight and bias). */
  UNIFORM_FAN_IN("uniform_fan_in"),
  /** Glorot uniform: ±√(6 / (fan_in + fan_out)). */
  XAVIER_UNIFORM("xavier_uniform"),
  /** He uniform for ReLU: ±√(6 / fan_in). */
  KAIMING_UNIFORM("kaiming_uniform"),
  ZEROS("zeros"),
  ONES("ones");

  private final String jsonName;

  Init(String jsonName) {
    this.jsonName = jsonName;
  }

  @Override
  public String jsonName() {
    return jsonName;
  }

  public static Optional<Init> fromJson(String name) {
    return Arrays.stream(values()).filter(i -> i.jsonName.equals(name)).findFirst();
  }
}
