package dev.rosetta.generate;

import dev.rosetta.backend.InferenceModel;
import dev.rosetta.data.DataException;
import dev.rosetta.data.TokenRange;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.train.Evaluator;
import dev.rosetta.weights.Initializer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Autoregressive generation with any {@link InferenceModel} of a next-token model (token ids in,
 * {@code [T, V]} logits out): the context is the prompt, cropped to its last {@code T} tokens
 * (the model's input length); the logits at its last position choose the next token ({@link
 * Sampling}), which is appended; repeat. Everything but the forward pass happens here, in Java,
 * so the same logits give the same tokens on every runtime.
 */
public final class Generator {
  private final InferenceModel model;
  private final CheckedSpec spec;

  public Generator(InferenceModel model, CheckedSpec spec) {
    if (!spec.takesTokens() || spec.output().rank() != 2 || spec.output().dim(0) != spec.input().dim(0)) {
      throw new DataException("spec '" + spec.name() + "' is not a next-token model: generation needs token ids in and"
          + " one logit vector per position out ([T, vocabulary]), but it maps " + spec.input() + " " + spec.inputType().jsonName()
          + " to " + spec.output());
    }
    this.model = model;
    this.spec = spec;
  }

  /**
   * @param prompt at least one token id
   * @return the {@code count} generated ids (the prompt not included)
   */
  public int[] generate(int[] prompt, int count, Sampling sampling) {
    if (prompt.length == 0) {
      throw new DataException("the prompt is empty: generation needs at least one token to continue");
    }
    int max = spec.input().dim(0);
    int vocab = spec.output().dim(1);
    int[] all = Arrays.copyOf(prompt, prompt.length + count);
    int length = prompt.length;
    SplittableRandom rng = new SplittableRandom(Initializer.streamSeed(sampling.seed(), "generate"));
    for (int i = 0; i < count; i++) {
      int window = spec.takesShorterSequences() ? Math.min(length, max) : max;
      if (window > length) {
        // A model that needs whole sequences: the prompt must already be that long.
        TokenRange.requireLength(spec, length, "prompt");
      }
      int[] context = Arrays.copyOfRange(all, length - window, length);
      float[] logits = model.predictTokens(context, 1, window);
      all[length++] = next(logits, (window - 1) * vocab, vocab, sampling, rng);
    }
    return Arrays.copyOfRange(all, prompt.length, length);
  }

  /** The next token from {@code vocab} logits at {@code offset}. */
  static int next(float[] logits, int offset, int vocab, Sampling s, SplittableRandom rng) {
    if (s.greedy()) {
      return Evaluator.argmax(logits, offset, vocab);
    }
    Integer[] order = new Integer[vocab];
    for (int k = 0; k < vocab; k++) {
      order[k] = k;
    }
    // Descending logits, lower id first among equals: the top-k set is well defined.
    Arrays.sort(order, (a, b) -> {
      int c = Float.compare(logits[offset + b], logits[offset + a]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    int keep = s.topK() > 0 ? Math.min(s.topK(), vocab) : vocab;
    double max = logits[offset + order[0]] / s.temperature();
    double[] p = new double[keep];
    double sum = 0;
    for (int k = 0; k < keep; k++) {
      p[k] = Math.exp(logits[offset + order[k]] / s.temperature() - max);
      sum += p[k];
    }
    double u = rng.nextDouble() * sum;
    double acc = 0;
    for (int k = 0; k < keep; k++) {
      acc += p[k];
      if (u < acc) {
        return order[k];
      }
    }
    return order[keep - 1];
  }
}
