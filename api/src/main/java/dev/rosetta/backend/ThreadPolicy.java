package dev.rosetta.backend;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.LayerShape;
import java.util.function.IntUnaryOperator;

/**
 * How many intra-op threads a model's kernels get when the caller does not say ({@link
 * Execution#DEFAULT}), one rule per backend ({@link #PYTORCH}, {@link #TENSORFLOW}). A kernel split
 * over threads pays a hand-off per op (waking the workers and joining them); it gains only when
 * the op is large. So a training step's count follows the size of a typical op: the values a
 * layer outputs for a whole call, averaged over the model's layers. Below {@link
 * #parallelOutputs} every op runs on the calling thread; at or above it kernels use every core.
 * libtorch's own kernels split by the same measure (32,768 values per thread at least).
 *
 * <p>Measured on 2 cores, each count in its own process (docs/performance.md "Thread policy").
 * PyTorch, with libtorch's OpenMP workers waiting passively after a short spin: the seed MLP
 * (5,000 values per layer at batch 64) trains fastest on 1 thread, at batch 256 and 1024 (80,000)
 * too; resnet-mini (178,000: thirty-one layers, most on 7x7 and 4x4 maps) trains 1.2-1.4x faster
 * on 2; fashion-cnn (296,000) and char-GPT (426,000) faster on 2. (With fully passive workers
 * resnet-mini was 1.2x faster on 1 thread: the threshold was 2^18 then.) TensorFlow, whose pool
 * hands off less cheaply: resnet-mini trains 1.2x faster on 1 thread, fashion-cnn 1.06x and
 * char-GPT 1.02-1.06x faster on 2, so its threshold is 2^18. (On an EPYC with AVX2, where
 * TensorFlow had left its oneDNN kernels off, resnet-mini trained 1.16x faster on 2 TensorFlow
 * threads with Eigen's kernels; with oneDNN's, which the engine now turns on everywhere, 1 and 2
 * threads tie there, so the threshold holds on both hosts.)
 *
 * <p>Inference calls have their own rule, {@link #inferenceThreads}: a forward pass has none of
 * a training step's many small backward and update ops, so from {@link #parallelInferenceBatch}
 * samples a call every core pays, and below it the training rule applies to the call's batch.
 * PyTorch, predict calls at 1 and 2 threads in turn: the seed MLP gains from a second thread at
 * batch 16 (+33 %), 64 (+26 %), 256 (+3-14 %) and 1024 (+28-40 %) and loses at 4 (-17 %) and 8
 * (-10 %); resnet-mini loses at 1 (-13 %) and 4 (-4 %); char-GPT loses at 1 (-35 %), ties at 4
 * and gains at 16 (+35 %) and 64 (+60 %); a tiny MLP (penguins) ties at 256 and 1024, since
 * libtorch splits nothing that small. fashion-cnn gains at batch 1 (+25 %) and is left on one
 * thread with the rest: no size measure puts it above resnet-mini's batch 1. TensorFlow: a second
 * thread makes the conv nets' batch 1 four to five times slower and their batch 16 1.7x slower,
 * ties at 64, and makes their batch of 256 1.4-1.6x faster (the seed MLP's batch of 1024 1.2x).
 *
 * <p>A backend applies its rule and may override it; {@code Execution.threads(n)}, and the
 * system properties each backend documents, override it per model or per process.
 *
 * @param parallelOutputs output values per layer per training call at and above which kernels
 *     use every core
 * @param parallelInferenceBatch samples per inference call at and above which kernels use every
 *     core
 */
public record ThreadPolicy(long parallelOutputs, int parallelInferenceBatch) {
  /** libtorch's OpenMP pool, with a short spin before its workers sleep. */
  public static final ThreadPolicy PYTORCH = new ThreadPolicy(1L << 17, 16);

  /** TensorFlow's per-session intra-op pool. */
  public static final ThreadPolicy TENSORFLOW = new ThreadPolicy(1L << 18, 256);

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
  public int trainingThreads(CheckedSpec spec, int batch, int cores) {
    return trainingThreads(outputsPerLayer(spec), batch, cores);
  }

  /**
   * Intra-op threads for an inference call of {@code batch} samples: every core from {@link
   * #parallelInferenceBatch} samples, else {@link #trainingThreads}'s choice for that batch.
   */
  public int inferenceThreads(CheckedSpec spec, int batch, int cores) {
    return inferenceThreads(spec, cores).applyAsInt(batch);
  }

  /**
   * {@link #inferenceThreads(CheckedSpec, int, int)} by batch size, with the spec's op size
   * measured once: for a model that asks on every call.
   */
  public IntUnaryOperator inferenceThreads(CheckedSpec spec, int cores) {
    long perLayer = outputsPerLayer(spec);
    return batch -> batch >= parallelInferenceBatch ? Math.max(1, cores) : trainingThreads(perLayer, batch, cores);
  }

  private int trainingThreads(long outputsPerLayer, int batch, int cores) {
    return outputsPerLayer * batch >= parallelOutputs ? Math.max(1, cores) : 1;
  }
}
