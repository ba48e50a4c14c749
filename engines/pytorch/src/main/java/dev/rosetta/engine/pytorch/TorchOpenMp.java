package dev.rosetta.engine.pytorch;

import dev.rosetta.backend.NativeEnvironment;

/**
 * How libtorch's idle OpenMP workers (its own libgomp) wait for the next kernel. libgomp's
 * default is to spin for about 3 ms (300,000 turns) before sleeping; on a machine shared with
 * other work that spinning takes the cores the kernels need (fashion-cnn on two threads fell
 * from about 830 to 72-121 samples/s at load 10-12 on 2 cores, and plain PyTorch likewise). Never
 * spinning ({@code OMP_WAIT_POLICY=PASSIVE} alone) fixes that but costs a quiet machine a wake-up
 * at every hand-off between kernels. So the policy is passive with a short spin, {@code
 * GOMP_SPINCOUNT=3000} (about 30 µs): on 2 cores, fashion-cnn and char-GPT on two threads train
 * 7-20 % faster than fully passive on a quiet host and as fast on one loaded with four busy
 * processes, where 10,000 turns already lost 17-22 % (docs/performance.md "Thread policy").
 * libgomp reads both once, when it loads with libtorch, so they are set in the process
 * environment before the engine starts. If the user set either, both are left alone.
 */
final class TorchOpenMp {
  static final String POLICY = "OMP_WAIT_POLICY";
  static final String SPIN = "GOMP_SPINCOUNT";
  static final String DEFAULT_POLICY = "PASSIVE";
  static final String DEFAULT_SPIN = "3000";

  private TorchOpenMp() {}

  /** Sets the wait policy and spin unless the environment has either. */
  static void shortSpinUnlessSet() {
    if (System.getenv(POLICY) != null || System.getenv(SPIN) != null) {
      return;
    }
    NativeEnvironment.setUnlessSet(POLICY, DEFAULT_POLICY);
    NativeEnvironment.setUnlessSet(SPIN, DEFAULT_SPIN);
  }
}
