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

    List<float[]> hand = run(channels, h, w, dims, channelsLast, x, upstream, weight, bias, true);
    List<float[]> auto = run(channels, h, w, dims, channelsLast, x, upstream, weight, bias, false);
    // The forward values are the same ops either way.
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

  @ParameterizedTest(name = "approximate {0}")
  @CsvSource({"NONE", "TANH"})
  void handWrittenGeluGradientIsTheForwardOpsGradient(Layer.Gelu.Approximation approximate) {
    assertTrue(TfCustomGradient.available());
    Random r = new Random(11);
    // Wide enough to reach both tails, where erf and tanh saturate.
    float[] x = values(r, 600, 0f, 2.5f);
    float[] upstream = values(r, x.length, 0f, 1f);
    List<float[]> hand = gelu(approximate, x, upstream, true);
    List<float[]> auto = gelu(approximate, x, upstream, false);
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
    List<float[]> hand = layerNorm(axes, dims, x, upstream, weight, bias, true);
    List<float[]> auto = layerNorm(axes, dims, x, upstream, weight, bias, false);
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

  /** Forward output, then the gradients of sum(y * upstream) for x, weight and bias. */
  private static List<float[]> layerNorm(
      int axes, long[] dims, float[] x, float[] upstream, float[] weight, float[] bias, boolean handWritten) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      org.tensorflow.ndarray.Shape shape = org.tensorflow.ndarray.Shape.of(dims);
      Operand<TFloat32> xs = tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(x));
      Operand<TFloat32> up = tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(upstream));
      long[] affine = axes == 1 ? new long[] {dims[2]} : new long[] {dims[1], dims[2]};
      Operand<TFloat32> ws = tf.constant(org.tensorflow.ndarray.Shape.of(affine), org.tensorflow.ndarray.buffer.DataBuffers.of(weight));
      Operand<TFloat32> bs = tf.constant(org.tensorflow.ndarray.Shape.of(affine), org.tensorflow.ndarray.buffer.DataBuffers.of(bias));
      Layer.LayerNorm ln = new Layer.LayerNorm("ln", axes, 1e-5);
      Shape sample = Shape.of((int) dims[1], (int) dims[2]);
      LayerShape ls = new LayerShape(0, ln, List.of(sample), sample, List.of());
      Operand<TFloat32> y = TfLayerNorm.lower(tf, ln, ls, xs, Map.of("ln.weight", ws, "ln.bias", bs), handWritten);
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, up), TfOps.allAxes(tf, y));
      var grads = tf.gradients(loss, List.of(xs, ws, bs));
      try (var result = s.runner().fetch(y).fetch(grads.dy(0)).fetch(grads.dy(1)).fetch(grads.dy(2)).run()) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          out.add(read(result.get(i)));
        }
        return out;
      }
    }
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

  /** Forward output, then the gradient of sum(y * upstream) for x. */
  private static List<float[]> gelu(Layer.Gelu.Approximation approximate, float[] x, float[] upstream, boolean handWritten) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> xs = tf.constant(x);
      Operand<TFloat32> y = TfGelu.lower(tf, new Layer.Gelu("g", approximate), xs, handWritten);
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, tf.constant(upstream)), tf.constant(0));
      var grads = tf.gradients(loss, List.of(xs));
      try (var result = s.runner().fetch(y).fetch(grads.dy(0)).run()) {
        return List.of(read(result.get(0)), read(result.get(1)));
      }
    }
  }

  /** Forward output, then the gradients of sum(y * upstream) for x, weight and bias. */
  private static List<float[]> run(
      int channels, int h, int w, long[] dims, boolean channelsLast, float[] x, float[] upstream,
      float[] weight, float[] bias, boolean handWritten) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      org.tensorflow.ndarray.Shape shape = org.tensorflow.ndarray.Shape.of(dims);
      Operand<TFloat32> xs = tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(x));
      Operand<TFloat32> up = tf.constant(shape, org.tensorflow.ndarray.buffer.DataBuffers.of(upstream));
      Operand<TFloat32> ws = tf.constant(weight);
      Operand<TFloat32> bs = tf.constant(bias);
      Layer.BatchNorm bn = new Layer.BatchNorm("bn");
      Shape sample = Shape.of(channels, h, w);
      LayerShape ls = new LayerShape(0, bn, List.of(sample), sample, List.of());
      Operand<TFloat32> y = TfBatchNorm.imageTraining(
          tf, bn, ls, xs, channelsLast, Map.of("bn.weight", ws, "bn.bias", bs), new ArrayList<>(), handWritten);
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, up), TfOps.allAxes(tf, y));
      var grads = tf.gradients(loss, List.of(xs, ws, bs));
      try (var result = s.runner().fetch(y).fetch(grads.dy(0)).fetch(grads.dy(1)).fetch(grads.dy(2)).run()) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          out.add(read(result.get(i)));
        }
        return out;
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
