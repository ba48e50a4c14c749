package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.types.TFloat32;

/** The conv2d layer as TensorFlow graph ops. */
final class TfConv2d {
  private TfConv2d() {}

  /**
   * TF's CPU Conv2D runs NHWC only, so the activation enters and leaves this op channels-last
   * ({@link TfActivation} turns it back where a layer needs the IR's NCHW). The variable stays
   * OIHW, so checkpoints and gradients are canonical; the HWIO view TF wants is a Transpose in
   * the graph, whose gradient TF permutes back. Padding keeps PyTorch's per-side amounts
   * ("same" puts the odd extra on the bottom/right): TF's own SAME padding where it pads each
   * side by exactly those amounts (a stride-1 convolution with an odd kernel and half-kernel
   * padding), else an explicit Pad of zeros then a VALID convolution. TF's CPU kernels do not
   * do grouped convolution, so groups are lowered as one convolution per group on channel
   * slices, concatenated: the definition of a grouped convolution.
   *
   * @param nhwc the input, {@code [N, H, W, C]}
   * @return the output, {@code [N, H', W', filters]}
   */
  static Operand<TFloat32> lower(
      Ops tf, Layer.Conv2d c, LayerShape shape, Operand<TFloat32> nhwc, Map<String, ? extends Operand<TFloat32>> vars) {
    Ops s = tf.withSubScope(c.name());
    Layer.Padding p = c.padding();
    int kh = c.kernel().h();
    int kw = c.kernel().w();
    int dh = c.dilation().h();
    int dw = c.dilation().w();
    Operand<TFloat32> hwio =
        s.linalg.transpose(vars.get(c.name() + ".weight"), s.constant(new int[] {2, 3, 1, 0}));
    // Dilation is written into the kernel instead of Conv2D's dilations attribute: TF's C++
    // gradient for Conv2D drops that attribute (its Conv2DBackpropFilter then fails on the
    // shapes). Each tap gets d - 1 zero rows (columns) after it, so the kernel spans k * d;
    // the d - 1 trailing zero rows read d - 1 extra zero rows padded below the input, which
    // leaves the output positions and values exactly those of the dilated convolution.
    if (dh > 1) {
      Operand<TFloat32> taps = s.reshape(hwio, s.constant(new long[] {kh, 1, kw, -1, c.filters()}));
      taps = s.pad(taps, s.constant(new int[][] {{0, 0}, {0, dh - 1}, {0, 0}, {0, 0}, {0, 0}}), s.constant(0f));
      hwio = s.reshape(taps, s.constant(new long[] {(long) kh * dh, kw, -1, c.filters()}));
    }
    if (dw > 1) {
      long rows = dh > 1 ? (long) kh * dh : kh;
      Operand<TFloat32> taps = s.reshape(hwio, s.constant(new long[] {rows, kw, 1, -1, c.filters()}));
      taps = s.pad(taps, s.constant(new int[][] {{0, 0}, {0, 0}, {0, dw - 1}, {0, 0}, {0, 0}}), s.constant(0f));
      hwio = s.reshape(taps, s.constant(new long[] {rows, (long) kw * dw, -1, c.filters()}));
    }
    int[][] pads = {
      {0, 0}, {p.top(kh, dh), p.bottom(kh, dh) + dh - 1}, {p.left(kw, dw), p.right(kw, dw) + dw - 1}, {0, 0}
    };
    String padding = "VALID";
    if (pads[1][0] + pads[1][1] + pads[2][0] + pads[2][1] > 0) {
      if (dh == 1 && dw == 1
          && Arrays.equals(pads[1], tfSame(shape.input().dim(1), kh, c.stride().h()))
          && Arrays.equals(pads[2], tfSame(shape.input().dim(2), kw, c.stride().w()))) {
        padding = "SAME";
      } else {
        nhwc = s.pad(nhwc, s.constant(pads), s.constant(0f));
      }
    }
    List<Long> strides = List.of(1L, (long) c.stride().h(), (long) c.stride().w(), 1L);
    Conv2d.Options[] opts = {Conv2d.dataFormat("NHWC")};
    Operand<TFloat32> y;
    if (c.groups() == 1) {
      y = s.nn.conv2d(nhwc, hwio, strides, padding, opts);
    } else {
      long g = c.groups();
      List<org.tensorflow.Output<TFloat32>> xs = s.split(s.constant(3), nhwc, g).output();
      List<org.tensorflow.Output<TFloat32>> ws = s.split(s.constant(3), hwio, g).output();
      List<Operand<TFloat32>> ys = new ArrayList<>();
      for (int i = 0; i < g; i++) {
        ys.add(s.withName("group" + i).nn.conv2d(xs.get(i), ws.get(i), strides, padding, opts));
      }
      y = s.concat(ys, s.constant(3));
    }
    if (c.bias()) {
      y = s.nn.biasAdd(y, vars.get(c.name() + ".bias"));
    }
    return y;
  }

  /**
   * The {before, after} amounts TF's SAME padding adds along one axis: the output is ceil(size
   * / stride), the total padding what that output needs, the odd extra after.
   */
  static int[] tfSame(int size, int kernel, int stride) {
    int out = (size + stride - 1) / stride;
    int total = Math.max((out - 1) * stride + kernel - size, 0);
    return new int[] {total / 2, total - total / 2};
  }
}
