package dev.rosetta.backend;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.LayerShape;

/**
 * How many intra-op threads a model's kernels get when the caller does not say ({@link
 * Execution#DEFAULT}). A kernel split over threads pays a hand-off per op (waking the workers and
 * joining them); it gains only when the op is large. So the choice follows the size of a typical
 * op: the values a layer outputs for a whole call, averaged over the model's layers. Below {@link
 * #PARALLEL_OUTPUTS} every op runs on the calling thread; at or above it kernels use every core.
 * libtorch's own kernels split by the same measure (32,768 values per thread at least).
 *
 * <p>Measured on 2 cores in alternating runs, training at batch 64, with libtorch's OpenMP
 * workers waiting passively after a short spin (docs/performance.md "Thread policy"): the seed
 * MLP (5,000 values per layer) trains fastest on 1 thread, at batch 256 and 1024 (80,000) too;
 * resnet-mini (178,000: thirty-one layers, most on 7x7 and 4x4 maps) trains 1.2-1.4x faster on
 * 2 threads on PyTorch and ties on TensorFlow; fashion-cnn (296,000) and char-GPT (426,000)
 * train faster on 2. (With fully passive workers every hand-off cost a wake-up, and resnet-mini
 * was 1.2x faster on 1 thread: the threshold was 2^18 then.)
 *
 * <p>Inference calls have their own rule, {@link #inferenceThreads}: a forward pass has none of
 * a training step's many small backward and update ops, so from {@link #PARALLEL_INFERENCE_BATCH}
 * samples a call every core pays. Measured on PyTorch, predict calls at 1 and 2 threads in turn
 * (docs/performance.md "Thread policy"): the seed MLP gains from a second thread at batch 16
 * (+33 %), 64 (+26 %), 256 (+3-14 %) and 1024 (+28-40 %) and loses at 4 (-17 %) and 8 (-10 %);
 * resnet-mini loses at 1 (-13 %) and 4 (-4 %); char-GPT loses at 1 (-35 %), ties at 4 and
 * gains at 16 (+35 %) and 64 (+60 %); a tiny MLP (penguins) ties at 256 and 1024,
 * since libtorch splits nothing that small. fashion-cnn gains at batch 1 (+25 %) and is left on
 * one thread with the rest: no size measure puts it above resnet-mini's batch 1. TensorFlow
 * follows the same rule more sharply: a second thread makes fashion-cnn's and resnet-mini's
 * batch 1 four to five times slower and their batch of 256 1.4-1.6x faster, the seed MLP's batch
 * of 1024 1.2x faster. A TensorFlow session's pool is fixed when it opens, so its inference face
 * opens a session per count its calls ask for.
 *
 * <p>A backend applies the rule and may override it; {@code Execution.threads(n)}, and the system
 * properties each backend documents, override it per model or per process.
 */
public final class ThreadPolicy {
  private ThreadPolicy() {}

  /** Output values per layer per call at and above which kernels use every core. */
  public static final long PARALLEL_OUTPUTS = 1L << 17;

  /** The values one sample's forward pass outputs, averaged over the spec's layers: a typical op's size per sample. */
  public static long outputsPerLayer(CheckedSpec spec) {
    long total = 0;
    for (LayerShape l : spec.shapes()) {
      total += l.output().size();
    }
    return spec.shapes().isEmpty() ? 0 : total / spec.shapes().size();
  }

  /**
   * Intra-op threads for training steps of {@code batch} samples on a machine with {@code cores}
   * cores, by the size of a typical op.
   */
  public static int intraOpThreads(CheckedSpec spec, int batch, int cores) {
    return outputsPerLayer(spec) * batch >= PARALLEL_OUTPUTS ? Math.max(1, cores) : 1;
  }

  /** Samples per inference call at and above which kernels use every core. */
  public static final int PARALLEL_INFERENCE_BATCH = 16;

  /**
   * Intra-op threads for an inference call of {@code batch} samples: every core from {@link
   * #PARALLEL_INFERENCE_BATCH} samples, else {@link #intraOpThreads(CheckedSpec, int, int)}'s choice.
   */
  public static int inferenceThreads(CheckedSpec spec, int batch, int cores) {
    return batch >= PARALLEL_INFERENCE_BATCH ? Math.max(1, cores) : intraOpThreads(spec, batch, cores);
  }

  /** {@link #intraOpThreads(CheckedSpec, int, int)} at the spec's batch size on this machine. */
  public static int intraOpThreads(CheckedSpec spec) {
    return intraOpThreads(spec, spec.training().batchSize(), Runtime.getRuntime().availableProcessors());
  }
}
