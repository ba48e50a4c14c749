package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rosetta.spec.Training;

/**
 * Gradient clipping as docs/spec.md defines it, between backward and the update: first each
 * value clamped to [-v, v], then all gradients scaled by min(1, max_norm / (norm + 1e-6)) where
 * norm = sqrt(s_1 + s_2 + ...) over the per-tensor float32 sums of squares s_i, added in
 * parameter order in float32 (the TensorFlow backend adds them in the same order).
 */
final class GradientClip {
  private final float value;
  private final float norm;

  private GradientClip(float value, float norm) {
    this.value = value;
    this.norm = norm;
  }

  /** The clipping the spec asks for, or null for none. */
  static GradientClip of(Training t) {
    return t.clipGradValue() == 0 && t.clipGradNorm() == 0
        ? null
        : new GradientClip((float) t.clipGradValue(), (float) t.clipGradNorm());
  }

  NDArray[] apply(NDArray[] grads, NDManager scope) {
    NDArray[] g = grads.clone();
    if (value > 0) {
      for (int i = 0; i < g.length; i++) {
        g[i] = in(scope, g[i].clip(-value, value));
      }
    }
    if (norm > 0) {
      float sum = 0f;
      for (NDArray x : g) {
        sum += in(scope, in(scope, x.square()).sum()).getFloat();
      }
      float total = (float) Math.sqrt(sum);
      float coef = norm / (total + 1e-6f);
      if (coef < 1f) {
        for (int i = 0; i < g.length; i++) {
          g[i] = in(scope, g[i].mul(coef));
        }
      }
    }
    return g;
  }

  private static NDArray in(NDManager scope, NDArray a) {
    a.attach(scope);
    return a;
  }
}
