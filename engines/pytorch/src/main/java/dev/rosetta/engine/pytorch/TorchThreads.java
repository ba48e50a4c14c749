package dev.rosetta.engine.pytorch;

import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's thread settings, applied before each model call on the calling thread. Each model
 * sets its own intra-op thread count, so two models with different counts can take turns (the
 * parity runner's noise floor runs a second copy of the reference on another count, and {@code
 * rosetta bench} a hand-written loop beside the model). libtorch's own value for this thread is
 * read each time, so code that sets it directly (the hand-written DJL loop) cannot leave a
 * stale copy here; setting it costs a call only when it changes.
 *
 * <p>Both settings are per thread because libtorch keeps them per native thread: the count
 * reaches OpenMP and MKL through {@code set_num_threads} on the calling thread only (a new
 * thread's BLAS calls would otherwise use MKL's default of every core, with another summation
 * order, so a sweep trial run as a Spark task gave other bits than in the command's thread), and
 * grad mode is on by default in a new thread: DJL turns it off only on the thread that starts its
 * engine, and its gradient collector restores the mode it found. A model used from another thread
 * would then update its parameters in place with autograd recording, which libtorch refuses ("a
 * leaf Variable that requires grad is being used in an in-place operation").
 */
final class TorchThreads {
  /** Whether this thread has had its grad mode and thread count set once. */
  private static final ThreadLocal<boolean[]> STARTED = ThreadLocal.withInitial(() -> new boolean[1]);

  private TorchThreads() {}

  static void use(int threads) {
    boolean[] started = STARTED.get();
    if (!started[0]) {
      // First call on this thread: set both, so OpenMP and MKL agree here whatever the
      // process-wide count last was.
      JniUtils.setGradMode(false);
      JniUtils.setNumThreads(threads);
      started[0] = true;
    } else if (JniUtils.getNumThreads() != threads) {
      JniUtils.setNumThreads(threads);
    }
  }
}
