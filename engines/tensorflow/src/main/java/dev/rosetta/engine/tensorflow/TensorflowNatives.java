package dev.rosetta.engine.tensorflow;

import ai.djl.engine.Engine;
import dev.rosetta.backend.NativeEnvironment;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;

/**
 * Loads TensorFlow's native libraries offline, once. DJL 0.36's own TensorFlow native jar is
 * not on Maven Central, so DJL would try to download it; the same TF 2.16.1 build ships in
 * {@code tensorflow-core-native}, whose JNI library JavaCPP extracts and loads. Pointing DJL's
 * {@code TENSORFLOW_LIBRARY_PATH} at that folder before the TfEngine starts makes DJL reuse it.
 */
final class TensorflowNatives {
  /** TensorFlow's switch from one process-wide intra-op pool to a pool per session. */
  static final String PER_SESSION_POOLS = "TF_OVERRIDE_GLOBAL_THREADPOOL";

  /** TensorFlow's switch for its oneDNN kernels and the graph pass that puts them in. */
  static final String ONEDNN_OPS = "TF_ENABLE_ONEDNN_OPTS";

  private static volatile boolean loaded;

  private TensorflowNatives() {}

  static synchronized void load() {
    if (loaded) {
      return;
    }
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    TfLogging.quietInfo();
    // TensorFlow gives every CPU device of the process one shared intra-op pool, sized by the
    // first session that opens: a SavedModel export on one thread left every later session on
    // one thread, whatever its own count (a 2-thread inference session used 1 core). With this
    // variable each session has a pool of its own count. TensorFlow reads it once, at its first
    // session.
    NativeEnvironment.setUnlessSet(PER_SESSION_POOLS, "1");
    // TensorFlow turns its oneDNN kernels on by itself only on processors with AVX-512 VNNI, BF16
    // or AMX; elsewhere convolutions and matrix products run on Eigen's kernels. On an EPYC with
    // AVX2, oneDNN's kernels train fashion-cnn 1.45x and resnet-mini 1.07x faster, answer
    // seed-mlp's batch-1 call in 29 against 40 us and fashion-cnn's in 139-149 against 201 us
    // (docs/performance.md, "oneDNN on every processor"). With this variable every host runs the
    // kernels the parity suite was first proven on (a Xeon, where they were on by default).
    // TensorFlow reads it once, at its first session.
    NativeEnvironment.setUnlessSet(ONEDNN_OPS, "1");
    // JavaCPP otherwise reads /proc/self/statm on every native allocation to enforce a memory
    // cap, which costs more than a training step's own work for small models. TF tensors are
    // closed deterministically here, so the cap buys nothing. (DJL's TfEngine sets the same.)
    if (System.getProperty("org.bytedeco.javacpp.maxBytes") == null) {
      System.setProperty("org.bytedeco.javacpp.maxBytes", "0");
    }
    if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null) {
      System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
    }
    String lib = Loader.load(org.tensorflow.internal.c_api.global.tensorflow.class);
    if (lib == null) {
      throw new IllegalStateException(
          "TensorFlow native library not found: is org.tensorflow:tensorflow-core-native"
              + " (linux-x86_64) on the class path?");
    }
    // A user's explicit choice wins; otherwise DJL finds the library JavaCPP just loaded.
    if (System.getProperty("TENSORFLOW_LIBRARY_PATH") == null
        && System.getenv("TENSORFLOW_LIBRARY_PATH") == null) {
      System.setProperty("TENSORFLOW_LIBRARY_PATH", Path.of(lib).getParent().toString());
    }
    loaded = true;
  }

  /** DJL's TfEngine, started on the natives loaded above. */
  static Engine djlEngine() {
    load();
    return Engine.getEngine("TensorFlow");
  }
}
