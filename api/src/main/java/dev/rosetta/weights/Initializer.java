package dev.rosetta.weights;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.ParamSpec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded initialisation in Java, so every backend starts from bit-identical weights. Each
 * tensor draws from its own stream, derived from the seed and the tensor's name, so adding a
 * layer does not change the others' initial values.
 */
public final class Initializer {
  private Initializer() {}

  public static WeightSet initialize(CheckedSpec spec) {
    long seed = spec.training().seed();
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (ParamSpec p : spec.params()) {
      out.put(p.name(), new Tensor(p.shape(), values(p, new SplittableRandom(streamSeed(seed, p.name())))));
    }
    return new WeightSet(out);
  }

  static float[] values(ParamSpec p, SplittableRandom rng) {
    float[] v = new float[(int) p.shape().size()];
    Init init = p.init();
    double bound =
        switch (init) {
          case UNIFORM_FAN_IN -> 1.0 / Math.sqrt(p.fanIn());
          case XAVIER_UNIFORM -> Math.sqrt(6.0 / (p.fanIn() + p.fanOut()));
          case KAIMING_UNIFORM -> Math.sqrt(6.0 / p.fanIn());
          case ZEROS -> 0;
          case ONES -> 1;
          // The standard deviation of the normal schemes.
          case NORMAL -> 1;
          case NORMAL_SMALL -> 0.02;
        };
    if (init == Init.ZEROS || init == Init.ONES) {
      java.util.Arrays.fill(v, (float) bound);
      return v;
    }
    if (init == Init.NORMAL || init == Init.NORMAL_SMALL) {
      // SplittableRandom's nextGaussian (JDK 17: RandomSupport's ziggurat), rounded once to float.
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextGaussian() * bound);
      }
      return v;
    }
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }
    return v;
  }

  /** A 64-bit stream seed from the spec seed and a name (FNV-1a over the name, then mixed). */
  public static long streamSeed(long seed, String name) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= b;
      h *= 0x100000001b3L;
    }
    return mix(seed ^ h);
  }

  /** SplitMix64 finaliser. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
