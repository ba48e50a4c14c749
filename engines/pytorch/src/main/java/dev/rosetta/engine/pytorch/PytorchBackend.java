package dev.rosetta.engine.pytorch;

import ai.djl.engine.Engine;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** PyTorch through DJL: DJL blocks on libtorch, libtorch autograd, Rosetta's optimizer math. */
public final class PytorchBackend implements Backend {
  public static final String NAME = "pytorch";

  private final PytorchParts parts;

  /** The backend ServiceLoader finds. */
  public PytorchBackend() {
    this(PytorchParts.STANDARD);
  }

  /** A backend assembled from other parts: the parity suite's planted-bug candidates. */
  PytorchBackend(PytorchParts parts) {
    this.parts = parts;
  }

  /**
   * DJL must never download: libtorch comes from the pytorch-native-cpu jar. libtorch runs its
   * ops on the calling thread unless told otherwise: measured on the seed MLP (2 cores), one
   * intra-op thread trains at 40-58k samples/s and two at 21-29k, because OpenMP workers compete
   * with the JVM thread that feeds them (and collapse when the machine is busy).
   * {@code -Dai.djl.pytorch.num_threads=N} overrides it for models with larger ops.
   */
  static Engine engine() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "1");
    }
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    return Engine.getEngine("PyTorch");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, String> versions() {
    Engine e = engine();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("djl", Engine.getDjlVersion());
    v.put("pytorch", e.getVersion());
    return v;
  }

  /** Intra-op threads when the caller leaves the choice to the backend (see {@link #engine}). */
  static final int DEFAULT_THREADS = 1;

  @Override
  public TrainableModel create(CheckedSpec spec, WeightSet weights, Execution execution) {
    weights.requireMatches(spec, "initial weights");
    Engine engine = engine();
    int threads = execution.intraOpThreads() > 0
        ? execution.intraOpThreads()
        : Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", Integer.toString(DEFAULT_THREADS)));
    return new PytorchModel(spec, weights, engine, threads, parts);
  }
}
