package dev.rosetta.backend;

/**
 * How a model runs on its backend, where the user or a check wants a say: the number of
 * intra-op threads its kernels may use. The same spec, weights and batches on another thread
 * count compute the same mathematics with a different reduction order, which is how the parity
 * runner measures a backend's float32 noise floor.
 *
 * @param intraOpThreads threads one kernel may use; 0 leaves the choice to the backend
 */
public record Execution(int intraOpThreads) {
  /** The backend's own choice. */
  public static final Execution DEFAULT = new Execution(0);

  public Execution {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0 (got " + intraOpThreads + ")");
    }
  }

  public static Execution threads(int n) {
    return new Execution(n);
  }
}
