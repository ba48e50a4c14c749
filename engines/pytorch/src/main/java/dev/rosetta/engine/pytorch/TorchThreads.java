package dev.rosetta.engine.pytorch;

import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's thread settings, applied before each model call on the calling thread. Each model
 * sets its own intra-op thread count, so two models with different counts can take turns (the
 * parity runner's noise floor runs a second copy of the reference on another count). Setting it
 * costs a call only when it changes on this thread.
 *
 * <p>Both settings are kept per Java thread because libtorch keeps them per native thread: the
 * count reaches OpenMP and MKL through {@code set_num_threads} on the calling thread only (a new
 * thread's BLAS calls would otherwise use MKL's default of every core, with another summation
 * order, so a sweep trial run as a Spark task gave other bits than in the command's thread), and
 * grad mode is on by default in a new thread: DJL turns it off only on the thread that starts its
 * engine, and its gradient collector restores the mode it found. A model used from another thread
 * would then update its parameters in place with autograd recording, which libtorch refuses ("a
 * leaf Variable that requires grad is being used in an in-place operation").
 */
final class TorchThreads {
  /** The intra-op count last set on this thread, or -1; grad mode is turned off with the first setting. */
  private static final ThreadLocal<int[]> CURRENT = ThreadLocal.withInitial(() -> new int[] {-1});

  private TorchThreads() {}

  static void use(int threads) {
    int[] current = CURRENT.get();
    if (current[0] == -1) {
      JniUtils.setGradMode(false);
    }
    if (threads != current[0]) {
      JniUtils.setNumThreads(threads);
      current[0] = threads;
    }
  }
}
