package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.rosetta.spec.Layer;

/**
 * DJL's Conv2d (libtorch's convolution, parameters {@code weight} OIHW and {@code bias}) plus
 * the one case DJL cannot express: "same" padding whose total per axis is odd. DJL pads both
 * sides alike, so such an axis is padded by the larger half on both sides and the first output
 * row (column) is dropped: what remains is exactly the window positions of PyTorch's "same",
 * which puts the extra row on the bottom (column on the right). Stride is 1 for "same", so the
 * dropped row is a whole output position.
 */
final class TorchConv2d extends Conv2d {
  private final boolean trimTop;
  private final boolean trimLeft;

  private TorchConv2d(Conv2d.Builder b, boolean trimTop, boolean trimLeft) {
    super(b);
    this.trimTop = trimTop;
    this.trimLeft = trimLeft;
  }

  static Conv2d of(Layer.Conv2d c) {
    Layer.Padding p = c.padding();
    int kh = c.kernel().h();
    int kw = c.kernel().w();
    int dh = c.dilation().h();
    int dw = c.dilation().w();
    // bottom >= top always; symmetric DJL padding of max(top, bottom) = bottom, then trim.
    boolean trimTop = p.top(kh, dh) != p.bottom(kh, dh);
    boolean trimLeft = p.left(kw, dw) != p.right(kw, dw);
    Conv2d.Builder b =
        Conv2d.builder()
            .setFilters(c.filters())
            .setKernelShape(new Shape(kh, kw))
            .optStride(new Shape(c.stride().h(), c.stride().w()))
            .optPadding(new Shape(p.bottom(kh, dh), p.right(kw, dw)))
            .optDilation(new Shape(dh, dw))
            .optGroups(c.groups())
            .optBias(c.bias());
    return new TorchConv2d(b, trimTop, trimLeft);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray y = super.forwardInternal(store, inputs, training, params).singletonOrThrow();
    if (!trimTop && !trimLeft) {
      return new NDList(y);
    }
    return new NDList(y.get(":, :, " + (trimTop ? "1:" : ":") + ", " + (trimLeft ? "1:" : ":")));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputs) {
    Shape s = super.getOutputShapes(inputs)[0];
    return new Shape[] {
      new Shape(s.get(0), s.get(1), s.get(2) - (trimTop ? 1 : 0), s.get(3) - (trimLeft ? 1 : 0))
    };
  }
}
