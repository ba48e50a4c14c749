package dev.rosetta.engine.pytorch;

import ai.djl.engine.Engine;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.NativeEnvironment;
import dev.rosetta.backend.NativeHeap;
import dev.rosetta.backend.OpenMpWait;
import dev.rosetta.backend.ThreadPolicy;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntUnaryOperator;

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

  /** System property: intra-op threads for every PyTorch model (DJL's own name for it). */
  static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

  /**
   * DJL must never download: libtorch comes from the pytorch-native-cpu jar. Intra-op threads
   * are each model's (see {@link #create}); libtorch's inter-op pool runs only forked graph
   * tasks, which eager execution never makes, so it gets one thread. libtorch allocates tensors
   * with malloc, so glibc is told to keep freed blocks for the next step ({@link
   * NativeHeap#holdFreedMemory}); its OpenMP workers wait as {@link OpenMpWait} says.
   */
  static Engine engine() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    OpenMpWait.unlessSet(System::getenv).forEach(NativeEnvironment::setUnlessSet);
    HeldFreedMemory.ensure();
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    return Engine.getEngine("PyTorch");
  }

  /** Set once, when the engine first starts. */
  private static final class HeldFreedMemory {
    static final boolean SET = NativeHeap.holdFreedMemory();

    static void ensure() {}
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

  /**
   * Intra-op threads: {@code execution}'s count, else {@link #THREADS_PROPERTY}'s, else {@link
   * ThreadPolicy}'s for the size of the spec's ops: one thread for small ops (the seed MLP:
   * OpenMP workers cost more in hand-offs than they save), every core for larger ones
   * (resnet-mini, fashion-cnn, char-GPT). The policy's count holds for training; inference calls choose
   * by their own batch size ({@link ThreadPolicy#inferenceThreads}, {@link ThreadPolicy#PYTORCH}).
   */
  @Override
  public TrainableModel create(CheckedSpec spec, WeightSet weights, Execution execution) {
    weights.requireMatches(spec, "initial weights");
    Engine engine = engine();
    Integer fixed = execution.intraOpThreads() > 0 ? Integer.valueOf(execution.intraOpThreads()) : Integer.getInteger(THREADS_PROPERTY);
    if (fixed != null && fixed < 1) {
      throw new IllegalArgumentException(THREADS_PROPERTY + " must be >= 1 (got " + fixed + ")");
    }
    int threads = fixed != null ? fixed : ThreadPolicy.PYTORCH.trainingThreads(spec, spec.training().batchSize(), CORES);
    IntUnaryOperator inferenceThreads = fixed != null ? n -> fixed : ThreadPolicy.PYTORCH.inferenceThreads(spec, CORES);
    return new PytorchModel(spec, weights, engine, threads, inferenceThreads, parts);
  }

  private static final int CORES = Runtime.getRuntime().availableProcessors();
}
