package dev.rosetta.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Training-mode batch norm on images, gelu and layer norm carry hand-written gradients (TfCustomGradient).
 * Each must equal TF's own differentiation of the same forward ops, which is the true gradient
 * (batch norm in both layouts); the parity suite then holds both to PyTorch's.
 */
class TfCustomGradientTest {
  /** TensorFlow's natives as the engine loads them, with its settings, before this class's sessions (TfOneDnnTest). */
  @BeforeAll
  static void loadNatives() {
    TensorflowNatives.load();
  }

  @ParameterizedTest(name = "channels {0}, channels-last {1}")
  @CsvSource({"3, false", "3, true", "1, false", "1, true", "5, true"})
  void handWrittenGradientIsTheForwardOpsGradient(int channels, boolean channelsLast) {
    assertTrue(TfCustomGradient.available(), "the IdentityN gradient must register on this platform");
    int n = 4;
    int h = 5;
    int w = 3;
    long[] dims = channelsLast ? new long[] {n, h, w, channels} : new long[] {n, channels, h, w};
    Random r = new Random(7 + channels);
    float[] x = values(r, n * channels * h * w, 3f, 1.5f);
    float[] upstream = values(r, x.length, 0f, 1f);
    float[] weight = values(r, channels, 1f, 0.5f);
    float[] bias = values(r, channels, 0f, 0.5f);

    long[] perChannel = {channels};
    List<Input> inputs = List.of(new Input(dims, x), new Input(perChannel, weight), new Input(perChannel, bias));
    Layer.BatchNorm bn = new Layer.BatchNorm("bn");
    Shape sample = Shape.of(channels, h, w);
    LayerShape ls = new LayerShape(0, bn, List.of(sample), sample, List.of());
    Piece piece = (tf, in, handWritten) -> TfBatchNorm.imageTraining(
        tf, bn, ls, in.get(0), channelsLast, Map.of("bn.weight", in.get(1), "bn.bias", in.get(2)), new ArrayList<>(),
        handWritten);
    assertSameAsTfDifferentiation(
        forwardAndGradients(inputs, upstream, piece, false), forwardAndGradients(inputs, upstream, piece, true));
  }

  @ParameterizedTest(name = "approximate {0}")
  @CsvSource({"NONE", "TANH"})
  void handWrittenGeluGradientIsTheForwardOpsGradient(Layer.Gelu.Approximation approximate) {
    assertTrue(TfCustomGradient.available());
    Random r = new Random(11);
    // Wide enough to reach both tails, where erf and tanh saturate.
    float[] x = values(r, 600, 0f, 2.5f);
    float[] upstream = values(r, x.length, 0f, 1f);
    List<Input> inputs = List.of(new Input(new long[] {x.length}, x));
    Layer.Gelu layer = new Layer.Gelu("g", approximate);
    Piece piece = (tf, in, handWritten) -> TfGelu.lower(tf, layer, in.get(0), handWritten);
    List<float[]> hand = forwardAndGradients(inputs, upstream, piece, true);
    List<float[]> auto = forwardAndGradients(inputs, upstream, piece, false);
    assertArrayEquals(auto.get(0), hand.get(0), "forward");
    for (int j = 0; j < x.length; j++) {
      assertEquals(auto.get(1)[j], hand.get(1)[j], 1e-6 * Math.max(1, Math.abs(upstream[j])), "d input[" + j + "]");
    }
  }

  @ParameterizedTest(name = "normalised axes {0}")
  @CsvSource({"1", "2"})
  void handWrittenLayerNormGradientIsTheForwardOpsGradient(int axes) {
    assertTrue(TfCustomGradient.available());
    Random r = new Random(13 + axes);
    long[] dims = {3, 5, 8};
    int size = 3 * 5 * 8;
    int normalised = axes == 1 ? 8 : 40;
    float[] x = values(r, size, 1f, 2f);
    float[] upstream = values(r, size, 0f, 1f);
    float[] weight = values(r, normalised, 1f, 0.5f);
    float[] bias = values(r, normalised, 0f, 0.5f);
    long[] affine = axes == 1 ? new long[] {dims[2]} : new long[] {dims[1], dims[2]};
    List<Input> inputs = List.of(new Input(dims, x), new Input(affine, weight), new Input(affine, bias));
    Layer.LayerNorm ln = new Layer.LayerNorm("ln", axes, 1e-5);
    Shape sample = Shape.of((int) dims[1], (int) dims[2]);
    LayerShape ls = new LayerShape(0, ln, List.of(sample), sample, List.of());
    Piece piece = (tf, in, handWritten) ->
        TfLayerNorm.lower(tf, ln, ls, in.get(0), Map.of("ln.weight", in.get(1), "ln.bias", in.get(2)), handWritten);
    assertSameAsTfDifferentiation(
        forwardAndGradients(inputs, upstream, piece, false), forwardAndGradients(inputs, upstream, piece, true));
  }

  @Test
  void anUnmarkedIdentityNGetsTheIdentityGradient() {
    assertTrue(TfCustomGradient.available());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.constant(new float[] {1, 2});
      Operand<TFloat32> b = tf.constant(new float[] {3});
      var out = tf.identityN(List.of(a, b)).output();
      Operand<TFloat32> loss = tf.math.add(
          tf.sum(tf.math.mul(out.get(0).expect(TFloat32.class), tf.constant(2f)), tf.constant(0)),
          tf.sum(tf.math.mul(out.get(1).expect(TFloat32.class), tf.constant(3f)), tf.constant(0)));
      var grads = tf.gradients(loss, List.of(a, b));
      try (var result = s.runner().fetch(grads.dy(0)).fetch(grads.dy(1)).run()) {
        assertArrayEquals(new float[] {2, 2}, read(result.get(0)));
        assertArrayEquals(new float[] {3}, read(result.get(1)));
      }
    }
  }

  /** A float32 constant the piece reads, with its shape. */
  private record Input(long[] shape, float[] values) {}

  /** The piece under test, built on its inputs (in the order given), its gradient written out or left to TF. */
  @FunctionalInterface
  private interface Piece {
    Operand<TFloat32> on(Ops tf, List<Operand<TFloat32>> inputs, boolean handWritten);
  }

  /**
   * The piece's output, then the gradients of sum(y * upstream) for each input in order; the
   * output has the first input's shape.
   */
  private static List<float[]> forwardAndGradients(
      List<Input> inputs, float[] upstream, Piece piece, boolean handWritten) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> in = new ArrayList<>();
      for (Input i : inputs) {
        in.add(tf.constant(org.tensorflow.ndarray.Shape.of(i.shape()), org.tensorflow.ndarray.buffer.DataBuffers.of(i.values())));
      }
      Operand<TFloat32> y = piece.on(tf, in, handWritten);
      Operand<TFloat32> up =
          tf.constant(org.tensorflow.ndarray.Shape.of(inputs.get(0).shape()), org.tensorflow.ndarray.buffer.DataBuffers.of(upstream));
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, up), TfOps.allAxes(tf, y));
      var grads = tf.gradients(loss, in);
      Session.Runner runner = s.runner().fetch(y);
      for (int i = 0; i < in.size(); i++) {
        runner.fetch(grads.dy(i));
      }
      try (var result = runner.run()) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i <= in.size(); i++) {
          out.add(read(result.get(i)));
        }
        return out;
      }
    }
  }

  /**
   * The same forward values, and each gradient (input, weight, bias) non-trivial and within 2e-6
   * of its largest value of TF's own differentiation.
   */
  private static void assertSameAsTfDifferentiation(List<float[]> auto, List<float[]> hand) {
    assertArrayEquals(auto.get(0), hand.get(0), "forward");
    String[] names = {"forward", "d input", "d weight", "d bias"};
    for (int i = 1; i < names.length; i++) {
      float[] a = auto.get(i);
      float[] b = hand.get(i);
      double scale = 0;
      for (float v : a) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertTrue(scale > 1e-3, names[i] + " is not a trivial gradient");
      for (int j = 0; j < a.length; j++) {
        assertEquals(a[j], b[j], 2e-6 * scale, names[i] + "[" + j + "]");
      }
    }
  }

  private static float[] read(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[(int) f.shape().size()];
    f.asRawTensor().data().asFloats().read(out);
    return out;
  }

  private static float[] values(Random r, int count, float mean, float spread) {
    float[] v = new float[count];
    for (int i = 0; i < v.length; i++) {
      v[i] = mean + spread * (float) r.nextGaussian();
    }
    return v;
  }
}
