package dev.rosetta.cli.bench;

/**
 * One side of a side-by-side benchmark: Rosetta on a backend, a loop written by hand against a
 * framework, or a plain Python framework. Each round it warms up, then runs for a fixed time.
 */
public interface Contender extends AutoCloseable {

  /** What the contender is, e.g. {@code rosetta-pytorch}, {@code torch} or {@code keras-fit}. */
  String name();

  /** The intra-op threads it runs with. */
  int threads();

  /** The row label: the name, with the thread count where the same name runs on several. */
  default String label() {
    return name();
  }

  /**
   * Runs one round: {@code warmup} untimed steps (or calls), then about {@code seconds} timed.
   *
   * @throws Unavailable when the contender cannot run here (no Python, no framework)
   */
  Measurement measure(double seconds, int warmup);

  @Override
  default void close() {}

  /** The contender cannot run on this machine; the message says why and what to do. */
  final class Unavailable extends RuntimeException {
    public Unavailable(String message) {
      super(message);
    }
  }
}
