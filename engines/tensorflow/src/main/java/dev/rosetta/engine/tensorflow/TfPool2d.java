package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Layer;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Max and average pooling as TensorFlow graph ops on a channels-last activation (TF's CPU
 * pooling kernels are NHWC only), which they leave channels-last, as conv2d does.
 */
final class TfPool2d {
  private TfPool2d() {}

  /**
   * Padding is an explicit Pad with −∞, which never wins a window, then a VALID MaxPool:
   * PyTorch's implicit padding.
   */
  static Operand<TFloat32> max(Ops tf, Layer.MaxPool2d p, Operand<TFloat32> nhwc) {
    return pool(tf, nhwc, p.name(), p.kernel(), p.stride(), p.padding(), Float.NEGATIVE_INFINITY, true);
  }

  /**
   * Zero Pad then a VALID AvgPool: every window then has kh * kw elements, zeros included,
   * which is PyTorch's count_include_pad=True divisor exactly.
   */
  static Operand<TFloat32> average(Ops tf, Layer.AvgPool2d p, Operand<TFloat32> nhwc) {
    return pool(tf, nhwc, p.name(), p.kernel(), p.stride(), p.padding(), 0f, false);
  }

  private static Operand<TFloat32> pool(
      Ops tf, Operand<TFloat32> nhwc, String name, Layer.Hw kernel, Layer.Hw stride, Layer.Hw padding, float padValue,
      boolean max) {
    Ops s = tf.withSubScope(name);
    if (padding.h() > 0 || padding.w() > 0) {
      int[][] pads = {{0, 0}, {padding.h(), padding.h()}, {padding.w(), padding.w()}, {0, 0}};
      nhwc = s.pad(nhwc, s.constant(pads), s.constant(padValue));
    }
    List<Long> k = List.of(1L, (long) kernel.h(), (long) kernel.w(), 1L);
    List<Long> st = List.of(1L, (long) stride.h(), (long) stride.w(), 1L);
    Ops named = tf.withName(name);
    return max
        ? named.nn.maxPool(nhwc, s.constant(new int[] {1, kernel.h(), kernel.w(), 1}),
            s.constant(new int[] {1, stride.h(), stride.w(), 1}), "VALID")
        : named.nn.avgPool(nhwc, k, st, "VALID");
  }
}
