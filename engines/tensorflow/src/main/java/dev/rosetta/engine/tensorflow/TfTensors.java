package dev.rosetta.engine.tensorflow;

import dev.rosetta.backend.ThreadPolicy;
import dev.rosetta.spec.CheckedSpec;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Moving float32 data in and out of TensorFlow, and the session settings every graph runs with. */
final class TfTensors {
  private TfTensors() {}

  /** System property: intra-op threads for every TF session (default: {@link ThreadPolicy}'s). */
  static final String THREADS_PROPERTY = "rosetta.tensorflow.threads";

  /** One intra-op thread: sessions whose speed does not matter (exporting a SavedModel). */
  static ConfigProto sessionConfig() {
    return sessionConfig(1);
  }

  /**
   * The thread count when the caller leaves the choice to the backend: {@link
   * #THREADS_PROPERTY}'s, else {@link ThreadPolicy}'s for calls of {@code batch} samples. Measured
   * on the seed MLP (batch 64) on 2 shared cores: 1 thread on the caller gives about 97,000
   * samples/s per step, 2 intra-op threads 52,000-82,000; small kernels lose more to thread
   * hand-offs than they gain from splitting, large convolutions gain (docs/performance.md "Thread policy").
   */
  static int defaultThreads(CheckedSpec spec, int batch) {
    Integer fixed = fixedThreads();
    return fixed != null ? fixed : ThreadPolicy.TENSORFLOW.trainingThreads(spec, batch, Runtime.getRuntime().availableProcessors());
  }

  /**
   * The thread count of an inference call of n samples: {@link #THREADS_PROPERTY}'s for every
   * call, else {@link ThreadPolicy#inferenceThreads}'s for the call's batch.
   */
  static java.util.function.IntUnaryOperator inferenceThreads(CheckedSpec spec) {
    Integer fixed = fixedThreads();
    return fixed != null ? n -> fixed : ThreadPolicy.TENSORFLOW.inferenceThreads(spec, Runtime.getRuntime().availableProcessors());
  }

  /** {@link #THREADS_PROPERTY}'s count, or null when it is not set. */
  private static Integer fixedThreads() {
    Integer fixed = Integer.getInteger(THREADS_PROPERTY);
    if (fixed != null && fixed < 1) {
      throw new IllegalArgumentException(THREADS_PROPERTY + " must be >= 1 (got " + fixed + ")");
    }
    return fixed;
  }

  /**
   * Every op runs on the calling thread (negative inter-op count: no inter-op pool, whose
   * hand-offs cost more than parallel branches gain here) with {@code threads} intra-op
   * threads. A fixed count also fixes how kernels split work, so the same seed twice gives
   * bit-identical weights.
   */
  static ConfigProto sessionConfig(int threads) {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(threads)
        .setInterOpParallelismThreads(-1)
        .build();
  }

  static TFloat32 tensor(float[] data, org.tensorflow.ndarray.Shape shape) {
    return TFloat32.tensorOf(shape, DataBuffers.of(data, true, false));
  }

  /** Token ids (int64, row-major) as a {@code [n, length]} tensor. */
  static TInt64 tokens(long[] ids, int n, int length) {
    return TInt64.tensorOf(org.tensorflow.ndarray.Shape.of(n, length), DataBuffers.of(ids, true, false));
  }

  static float[] read(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  /** {@code [batch, ...sample]}. */
  static org.tensorflow.ndarray.Shape shapeOf(int batch, long[] sample) {
    long[] d = new long[sample.length + 1];
    d[0] = batch;
    System.arraycopy(sample, 0, d, 1, sample.length);
    return org.tensorflow.ndarray.Shape.of(d);
  }
}
