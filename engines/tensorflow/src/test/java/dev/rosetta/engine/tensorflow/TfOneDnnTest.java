package dev.rosetta.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rosetta.backend.NativeEnvironment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow runs its oneDNN kernels on every processor, not only on those it turns them on for
 * by itself (AVX-512 VNNI, BF16 or AMX): the engine sets TF_ENABLE_ONEDNN_OPTS before TensorFlow's
 * first session. Every TensorFlow session of a test JVM of this module opens after {@link
 * TensorflowNatives#load} (TfCustomGradientTest's own sessions too), since TensorFlow reads the
 * variable once.
 */
class TfOneDnnTest {
  @Test
  void tensorflowIsToldToUseItsOneDnnKernels() {
    assumeTrue(System.getenv(TensorflowNatives.ONEDNN_OPS) == null, "the user's own setting is left alone");
    TensorflowNatives.load();
    assertEquals("1", NativeEnvironment.get(TensorflowNatives.ONEDNN_OPS));
  }

  /** A convolution's traced kernel is oneDNN's (an op type TensorFlow names {@code _Mkl...}), not Eigen's Conv2D. */
  @Test
  void aConvolutionRunsOnOneDnnsKernel() {
    assumeTrue(System.getenv(TensorflowNatives.ONEDNN_OPS) == null, "the user's own setting is left alone");
    TensorflowNatives.load();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // Fed, not constant, so that the graph optimizer cannot fold the convolution away.
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 8, 8, 3)));
      Placeholder<TFloat32> w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3, 3, 3, 4)));
      var y = tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), "SAME");
      try (TFloat32 xs = TFloat32.tensorOf(Shape.of(2, 8, 8, 3));
          TFloat32 ws = TFloat32.tensorOf(Shape.of(3, 3, 3, 4));
          Result r = s.runner().feed(x, xs).feed(w, ws).fetch(y)
              .setOptions(TfOpProfile.FULL_TRACE).runAndFetchMetadata()) {
        List<String> types = TfOpProfile.nodes(r.getMetadata().orElseThrow()).map(TfOpProfile::opType).toList();
        assertTrue(types.stream().anyMatch(t -> t.startsWith("_Mkl") && t.contains("Conv2D")), types.toString());
      }
    }
  }
}
