package dev.rosetta.backend;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.ParamSpec;

/**
 * How many intra-op threads a model's kernels get when the caller does not say ({@link
 * Execution#DEFAULT}). A kernel split over threads pays a hand-off per op; it gains only when
 * the op is large. So the choice follows the work of one step: the multiply-adds of the
 * model's weight layers for a whole batch. Below {@link #PARALLEL_WORK} (the seed MLP at batch
 * 64 does 7 million) every op runs on the calling thread; at or above it (fashion-cnn at batch
 * 64 does 77 million) kernels use every core. Measured on 2 cores, in alternating rounds
 * (docs/performance.md "Thread policy"): the MLP trains fastest on 1 thread on both backends, the CNNs on 2.
 *
 * <p>A backend applies the rule with its own threshold and may override it; {@code
 * Execution.threads(n)}, and the system properties each backend documents, override it per
 * model or per process.
 */
public final class ThreadPolicy {
  private ThreadPolicy() {}

  /** Multiply-adds per call at and above which kernels use every core. */
  public static final long PARALLEL_WORK = 1L << 24;

  /**
   * Multiply-adds of one sample's forward pass through the layers with a weight matrix or
   * kernel (rank 2 and up): each weight value is used once per output position, so a layer
   * costs its weight's size times its output's size over its weight's first axis (units or
   * filters). Normalisation scales, biases and element-wise layers are left out: small beside
   * the matrix products.
   */
  public static long multiplyAddsPerSample(CheckedSpec spec) {
    long total = 0;
    for (LayerShape l : spec.shapes()) {
      for (ParamSpec p : l.params()) {
        if (p.trainable() && p.shape().rank() >= 2) {
          total += p.shape().size() * (l.output().size() / p.shape().dim(0));
        }
      }
    }
    return total;
  }

  /** Intra-op threads for training steps of {@code batch} samples on a machine with {@code cores} cores. */
  public static int intraOpThreads(CheckedSpec spec, int batch, int cores) {
    return multiplyAddsPerSample(spec) * batch >= PARALLEL_WORK ? Math.max(1, cores) : 1;
  }

  /**
   * Intra-op threads for an inference call of {@code batch} samples. A forward pass is about a
   * third of a training step's work (the step adds two products per weight layer going back), so
   * its threshold is three times {@link #PARALLEL_WORK}: the seed MLP's batch of 256 (28 million
   * multiply-adds) stays on one thread, as plain PyTorch runs it fastest on this machine (421,129
   * against 336,281 samples/s on two threads, docs/performance.md), while fashion-cnn's (307
   * million) uses every core.
   */
  public static int inferenceThreads(CheckedSpec spec, int batch, int cores) {
    return multiplyAddsPerSample(spec) * batch >= 3 * PARALLEL_WORK ? Math.max(1, cores) : 1;
  }

  /** {@link #intraOpThreads(CheckedSpec, int, int)} at the spec's batch size on this machine. */
  public static int intraOpThreads(CheckedSpec spec) {
    return intraOpThreads(spec, spec.training().batchSize(), Runtime.getRuntime().availableProcessors());
  }
}
