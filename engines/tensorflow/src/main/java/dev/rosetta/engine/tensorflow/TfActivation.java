package dev.rosetta.engine.tensorflow;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One activation in the TensorFlow graph and the layout it is held in. The IR's image
 * activations are {@code [N, C, H, W]}; TF's CPU convolution and pooling kernels run {@code [N,
 * H, W, C]} only. So a layer that runs NHWC leaves its output channels-last, layers that work
 * in either layout (batch norm, activations, dropout, add, concat, global pooling) keep it, and
 * only a layer that reads the IR's order (flatten, reshape, dense, ...) or the model output
 * turns it back. A stack of convolutions then pays one transpose in and one out, not two per
 * layer, and the gradient likewise.
 *
 * <p>The other layout is made at most once per activation (a residual branch reading it twice
 * shares the transpose). Where C or H * W is 1 the two layouts hold the same memory order and
 * the change is a reshape.
 */
final class TfActivation {
  /** Tensor axis i of NHWC is axis TO_CHANNELS_LAST[i] of NCHW. */
  private static final int[] TO_CHANNELS_LAST = {0, 2, 3, 1};
  /** Tensor axis i of NCHW is axis TO_CANONICAL[i] of NHWC; also where NCHW's axis i sits in NHWC. */
  private static final int[] TO_CANONICAL = {0, 3, 1, 2};

  private final Operand<TFloat32> value;
  private final boolean channelsLast;
  /** The IR's sample shape {@code [C, H, W]} of an image activation; null for any other. */
  private final long[] image;
  private Operand<TFloat32> converted;

  private TfActivation(Operand<TFloat32> value, boolean channelsLast, long[] image) {
    this.value = value;
    this.channelsLast = channelsLast;
    this.image = image;
  }

  /**
   * An activation in the IR's layout.
   *
   * @param sample the IR's sample dims; rank 3 marks an image that may go channels-last
   */
  static TfActivation canonical(Operand<TFloat32> value, long[] sample) {
    return new TfActivation(value, false, sample.length == 3 ? sample.clone() : null);
  }

  /** An image activation held {@code [N, H, W, C]}; {@code sample} is the IR's {@code [C, H, W]}. */
  static TfActivation channelsLast(Operand<TFloat32> value, long[] sample) {
    if (sample.length != 3) {
      throw new IllegalArgumentException("only an image activation [C, H, W] can be channels-last");
    }
    return new TfActivation(value, true, sample.clone());
  }

  /** The value as it is held, for layers that work in either layout. */
  Operand<TFloat32> value() {
    return value;
  }

  boolean isChannelsLast() {
    return channelsLast;
  }

  boolean isImage() {
    return image != null;
  }

  /** The permutation that turns an NCHW tensor (an image, or a dropout mask fed in the IR's order) NHWC. */
  static int[] toChannelsLast() {
    return TO_CHANNELS_LAST.clone();
  }

  /** Where tensor axis {@code irAxis} of an NCHW image sits in the given layout. */
  static int axis(int irAxis, boolean channelsLast) {
    return channelsLast ? TO_CANONICAL[irAxis] : irAxis;
  }

  /** The tensor axes of H and W of an image in the given layout. */
  static int[] spatialAxes(boolean channelsLast) {
    return new int[] {axis(2, channelsLast), axis(3, channelsLast)};
  }

  /** A new value computed from this one elementwise: same shape, same layout. */
  TfActivation with(Operand<TFloat32> y) {
    return new TfActivation(y, channelsLast, image);
  }

  /** The value in the IR's layout ({@code [N, C, H, W]} for an image). */
  Operand<TFloat32> canonical(Ops tf) {
    return channelsLast ? convert(tf, TO_CANONICAL, image) : value;
  }

  /** The image value as {@code [N, H, W, C]}. */
  Operand<TFloat32> channelsLast(Ops tf) {
    if (image == null) {
      throw new IllegalStateException("not an image activation: " + value.shape());
    }
    return channelsLast ? value : convert(tf, TO_CHANNELS_LAST, new long[] {image[1], image[2], image[0]});
  }

  private Operand<TFloat32> convert(Ops tf, int[] permutation, long[] target) {
    if (converted == null) {
      boolean sameOrder = image[0] == 1 || image[1] * image[2] == 1;
      converted =
          sameOrder
              ? tf.reshape(value, tf.constant(new long[] {-1, target[0], target[1], target[2]}))
              : tf.linalg.transpose(value, tf.constant(permutation));
    }
    return converted;
  }
}
