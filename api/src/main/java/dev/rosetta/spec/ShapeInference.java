package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Shape inference: a pure function per layer, no native code. Gives every layer's output shape
 * and the parameters it owns, which fixes the canonical parameter names and layouts for every
 * backend.
 */
public final class ShapeInference {
  private ShapeInference() {}

  /** Per-layer shapes of a spec that has passed validation. */
  public static List<LayerShape> infer(ModelSpec spec) {
    List<LayerShape> out = new ArrayList<>();
    Graph.walk(
        spec,
        spec.input(),
        (i, layer, ins) -> {
          LayerShape ls = inferLayer(layer, ins);
          out.add(ls);
          return ls.output();
        });
    return out;
  }

  /** Output shape of the whole model for one sample. */
  public static Shape outputShape(ModelSpec spec) {
    List<LayerShape> shapes = infer(spec);
    return shapes.isEmpty() ? spec.input() : shapes.get(shapes.size() - 1).output();
  }

  /** Trainable parameter count of the whole model. */
  public static long paramCount(ModelSpec spec) {
    return infer(spec).stream().mapToLong(LayerShape::paramCount).sum();
  }

  /** Every parameter and buffer of the model, in layer order. */
  public static List<ParamSpec> params(ModelSpec spec) {
    return infer(spec).stream().flatMap(l -> l.params().stream()).toList();
  }

  /**
   * One layer's shapes. The caller guarantees the input is acceptable (see {@link
   * SpecValidator}), so this never fails on a validated spec.
   */
  public static LayerShape inferLayer(Layer layer, Shape in) {
    return inferLayer(layer, List.of(in));
  }

  /**
   * One layer's shapes from the shapes of everything it reads ({@code add} and {@code concat}
   * read several; every other kind one). {@link LayerShape#input()} is the first.
   */
  public static LayerShape inferLayer(Layer layer, List<Shape> ins) {
    Shape in = ins.get(0);
    return layer.accept(
        new Layer.Visitor<LayerShape>() {
          @Override
          public LayerShape dense(Layer.Dense d) {
            int fanIn = in.dim(-1);
            List<ParamSpec> params = new ArrayList<>();
            params.add(
                new ParamSpec(
                    d.name() + ".weight", Shape.of(d.units(), fanIn), true, d.weightInit(), fanIn,
                    d.units()));
            if (d.bias()) {
              params.add(
                  new ParamSpec(
                      d.name() + ".bias", Shape.of(d.units()), true, d.biasInit(), fanIn,
                      d.units()));
            }
            return new LayerShape(d, in, in.withLast(d.units()), params);
          }

          @Override
          public LayerShape relu(Layer.Relu l) {
            return same(l);
          }

          @Override
          public LayerShape sigmoid(Layer.Sigmoid l) {
            return same(l);
          }

          @Override
          public LayerShape tanh(Layer.Tanh l) {
            return same(l);
          }

          @Override
          public LayerShape softmax(Layer.Softmax l) {
            return same(l);
          }

          @Override
          public LayerShape flatten(Layer.Flatten l) {
            return new LayerShape(l, in, Shape.of((int) in.size()), List.of());
          }

          @Override
          public LayerShape dropout(Layer.Dropout l) {
            return same(l);
          }

          @Override
          public LayerShape leakyRelu(Layer.LeakyRelu l) {
            return same(l);
          }

          @Override
          public LayerShape elu(Layer.Elu l) {
            return same(l);
          }

          @Override
          public LayerShape gelu(Layer.Gelu l) {
            return same(l);
          }

          @Override
          public LayerShape reshape(Layer.Reshape l) {
            return new LayerShape(l, in, reshaped(l, in), List.of());
          }

          @Override
          public LayerShape conv2d(Layer.Conv2d c) {
            // PyTorch's fans for a conv weight: fan_in = in/groups * kh * kw, fan_out = filters
            // * kh * kw; the bias uses fan_in too, as Conv2d.reset_parameters does.
            int receptive = c.kernel().h() * c.kernel().w();
            int fanIn = in.dim(0) / c.groups() * receptive;
            int fanOut = c.filters() * receptive;
            List<ParamSpec> params = new ArrayList<>();
            params.add(
                new ParamSpec(
                    c.name() + ".weight",
                    Shape.of(c.filters(), in.dim(0) / c.groups(), c.kernel().h(), c.kernel().w()),
                    true, c.weightInit(), fanIn, fanOut));
            if (c.bias()) {
              params.add(
                  new ParamSpec(c.name() + ".bias", Shape.of(c.filters()), true, c.biasInit(), fanIn, fanOut));
            }
            return new LayerShape(c, in, conv2dOutput(c, in), params);
          }

          @Override
          public LayerShape maxPool2d(Layer.MaxPool2d p) {
            return new LayerShape(p, in, poolOutput(p.kernel(), p.stride(), p.padding(), in), List.of());
          }

          @Override
          public LayerShape avgPool2d(Layer.AvgPool2d p) {
            return new LayerShape(p, in, poolOutput(p.kernel(), p.stride(), p.padding(), in), List.of());
          }

          @Override
          public LayerShape globalAvgPool2d(Layer.GlobalAvgPool2d l) {
            return new LayerShape(l, in, Shape.of(in.dim(0)), List.of());
          }

          @Override
          public LayerShape batchNorm(Layer.BatchNorm b) {
            // PyTorch's BatchNorm: the affine pair and the running statistics, one per channel.
            Shape c = Shape.of(in.dim(0));
            int ch = in.dim(0);
            return new LayerShape(
                b, in, in,
                List.of(
                    new ParamSpec(b.name() + ".weight", c, true, Init.ONES, ch, ch),
                    new ParamSpec(b.name() + ".bias", c, true, Init.ZEROS, ch, ch),
                    new ParamSpec(b.name() + ".running_mean", c, false, Init.ZEROS, ch, ch),
                    new ParamSpec(b.name() + ".running_var", c, false, Init.ONES, ch, ch)));
          }

          @Override
          public LayerShape layerNorm(Layer.LayerNorm l) {
            Shape norm = normalizedShape(l, in);
            int n = (int) norm.size();
            return new LayerShape(
                l, in, in,
                List.of(
                    new ParamSpec(l.name() + ".weight", norm, true, Init.ONES, n, n),
                    new ParamSpec(l.name() + ".bias", norm, true, Init.ZEROS, n, n)));
          }

          @Override
          public LayerShape add(Layer.Add a) {
            return same(a);
          }

          @Override
          public LayerShape concat(Layer.Concat c) {
            int axis = c.sampleAxis(in.rank());
            int[] dims = in.dims();
            int total = 0;
            for (Shape s : ins) {
              total += s.dim(axis);
            }
            dims[axis] = total;
            return new LayerShape(c, in, Shape.of(dims), List.of());
          }

          private LayerShape same(Layer l) {
            return new LayerShape(l, in, in, List.of());
          }
        });
  }

  /** The trailing axes a layer norm normalises over, the shape of its weight and bias. */
  public static Shape normalizedShape(Layer.LayerNorm l, Shape in) {
    int[] dims = in.dims();
    return Shape.of(java.util.Arrays.copyOfRange(dims, dims.length - l.axes(), dims.length));
  }

  /** Output of a conv2d on {@code [C, H, W]}: PyTorch's floor formula on the padded extent. */
  public static Shape conv2dOutput(Layer.Conv2d c, Shape in) {
    return Shape.of(
        c.filters(),
        windows(in.dim(1), c.kernel().h(), c.stride().h(), c.dilation().h(),
            c.padding().top(c.kernel().h(), c.dilation().h()) + c.padding().bottom(c.kernel().h(), c.dilation().h())),
        windows(in.dim(2), c.kernel().w(), c.stride().w(), c.dilation().w(),
            c.padding().left(c.kernel().w(), c.dilation().w()) + c.padding().right(c.kernel().w(), c.dilation().w())));
  }

  /** Output of a max or average pool on {@code [C, H, W]}: channels kept, floor formula. */
  public static Shape poolOutput(Layer.Hw kernel, Layer.Hw stride, Layer.Hw padding, Shape in) {
    return Shape.of(
        in.dim(0),
        windows(in.dim(1), kernel.h(), stride.h(), 1, 2 * padding.h()),
        windows(in.dim(2), kernel.w(), stride.w(), 1, 2 * padding.w()));
  }

  /**
   * Window positions along one axis: {@code floor((size + pad - d * (k - 1) - 1) / stride) + 1},
   * or a value <= 0 when the (dilated) kernel does not fit the padded extent. Long arithmetic so
   * extreme specs report an error instead of wrapping.
   */
  static int windows(int size, int k, int stride, int d, int totalPad) {
    long span = (long) size + totalPad - (long) d * (k - 1) - 1;
    if (span < 0) {
      return 0;
    }
    return (int) Math.min(Integer.MAX_VALUE, span / stride + 1);
  }

  /**
   * The concrete per-sample shape a reshape produces from {@code in}: a -1 entry becomes the
   * element count divided by the product of the other entries. Lowerings use this rather than
   * the -1, so every backend is handed the same fully known shape.
   */
  public static Shape reshaped(Layer.Reshape r, Shape in) {
    long known = 1;
    int inferred = -1;
    int[] dims = new int[r.shape().size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = r.shape().get(i);
      if (dims[i] == -1) {
        inferred = i;
      } else {
        known *= dims[i];
      }
    }
    if (inferred >= 0) {
      dims[inferred] = (int) (in.size() / known);
    }
    return Shape.of(dims);
  }
}
