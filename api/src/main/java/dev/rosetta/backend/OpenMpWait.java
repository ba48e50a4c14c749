package dev.rosetta.backend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * How libtorch's idle OpenMP workers (its libgomp) wait for the next kernel, in Rosetta's PyTorch
 * engine and in the plain PyTorch that {@code bench --compare} runs beside it. libgomp's default
 * is to spin for about 3 ms (300,000 turns) before sleeping; on a machine shared with other work
 * that spinning takes the cores the kernels need (fashion-cnn on two threads fell from about 830
 * to 72-121 samples/s at load 10-12 on 2 cores, and plain PyTorch likewise). Never spinning
 * ({@code OMP_WAIT_POLICY=PASSIVE} alone) fixes that but costs a quiet machine a wake-up at every
 * hand-off between kernels. So the wait is passive after a short spin, {@code
 * GOMP_SPINCOUNT=3000} (about 30 µs): on 2 cores, fashion-cnn and char-GPT on two threads train
 * 7-20 % faster than fully passive on a quiet host and as fast on one loaded with four busy
 * processes, where 10,000 turns already lost 17-22 % (docs/performance.md "Thread policy").
 * libgomp reads both variables once, when it loads, so they go into the environment before
 * libtorch loads. If the user set either, both are left alone.
 */
public final class OpenMpWait {
  public static final String POLICY = "OMP_WAIT_POLICY";
  public static final String SPIN = "GOMP_SPINCOUNT";

  private OpenMpWait() {}

  /**
   * The variables to add to an environment, given how it reads a variable ({@code System::getenv},
   * a child process's {@code Map::get}): both of the short-spin wait, or none if either is set.
   */
  public static Map<String, String> unlessSet(Function<String, String> env) {
    Map<String, String> add = new LinkedHashMap<>();
    if (env.apply(POLICY) == null && env.apply(SPIN) == null) {
      add.put(POLICY, "PASSIVE");
      add.put(SPIN, "3000");
    }
    return add;
  }
}
