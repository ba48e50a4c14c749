package dev.rosetta.engine.pytorch;

import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op thread count is one setting for the whole process, so each model sets its
 * own before it runs: two models with different counts can take turns (the parity runner's
 * noise floor runs a second copy of the reference on another count). Setting it costs a call
 * only when it changes.
 */
final class TorchThreads {
  private static int current = -1;

  private TorchThreads() {}

  static synchronized void use(int threads) {
    if (threads != current) {
      JniUtils.setNumThreads(threads);
      current = threads;
    }
  }
}
