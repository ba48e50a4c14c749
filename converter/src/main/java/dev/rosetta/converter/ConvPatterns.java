package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The image layers: {@code Conv} (with its bias, a per-channel scale and shift after it folded
 * in: tf2onnx's form of a Keras BatchNormalization), Rosetta's own padded average pool (a
 * depthwise Conv with a constant kernel), {@code MaxPool}, {@code AveragePool}, {@code
 * GlobalAveragePool} and inference-form {@code BatchNormalization}.
 */
final class ConvPatterns {
  private ConvPatterns() {}

  static boolean conv(ImportGraph g, NodeProto n) {
    ImportValue.Activation x = g.activation(ImportGraph.input(n, 0));
    if (x == null) {
      DensePatterns.requireNoActivationOperand(g, n, 1);
      return false;
    }
    ConstTensor w = DensePatterns.weightOperand(g, n, 1);
    Shape in = image(g, n, x);
    if (w.rank() != 4) {
      throw g.refuse(n, "its weight has shape " + java.util.Arrays.toString(w.dims()) + "; Rosetta's conv2d is 2-D (weight [out, in/groups, kh, kw])", null);
    }
    int filters = (int) w.dims()[0];
    int kh = (int) w.dims()[2];
    int kw = (int) w.dims()[3];
    int groups = (int) ImportGraph.intAttr(n, "group", 1);
    int[] stride = pair(g, n, "strides", 1);
    int[] dilation = pair(g, n, "dilations", 1);
    if (in.dim(0) != w.dims()[1] * groups) {
      throw g.refuse(n, "its weight " + java.util.Arrays.toString(w.dims()) + " with " + groups + " group(s) needs "
          + w.dims()[1] * groups + " input channels but the activation has shape " + in, null);
    }
    int[] pads = pads(g, n, in, new int[] {kh, kw}, stride, dilation);
    String biasName = ImportGraph.input(n, 2);
    if (isAveragingKernel(w, in.dim(0), groups, biasName, dilation) && pads[0] == pads[2] && pads[1] == pads[3]) {
      Layer.Hw k = new Layer.Hw(kh, kw);
      Layer.Hw s = new Layer.Hw(stride[0], stride[1]);
      Layer.Hw p = new Layer.Hw(pads[0], pads[1]);
      ImportValue.Activation y = g.builder.emit(List.of(n), null, "avg_pool2d", name -> new Layer.AvgPool2d(name, k, s, p), List.of(x), Map.of());
      g.take(List.of(n), y);
      g.builder.note("a depthwise Conv with a constant kernel of 1/(kh*kw) is an average pool counting padding (Rosetta's own export of a padded avg_pool2d)");
      return true;
    }
    Layer.Padding padding = convPadding(g, n, pads, new int[] {kh, kw}, stride, dilation);
    float[] weight = w.floats();
    float[] bias = null;
    if (!biasName.isEmpty()) {
      DensePatterns.requireNoActivationOperand(g, n, 2);
      ConstTensor b = g.constant(biasName);
      if (b == null || !b.isFloat() || b.size() != filters) {
        throw g.refuse(n, "its bias is not " + filters + " stored float values", null);
      }
      bias = b.floats();
    }
    List<NodeProto> nodes = new ArrayList<>(List.of(n));
    String out = n.getOutput(0);
    NodeProto mul = g.only(out, "Mul");
    float[] scale = mul == null ? null : perChannel(g, other(mul, out), filters);
    if (scale != null) {
      NodeProto add = g.only(mul.getOutput(0), "Add");
      float[] shift = add == null ? null : perChannel(g, other(add, mul.getOutput(0)), filters);
      // y = (W x + b) * s + t  ==  (W * s) x + (b * s + t), per output channel.
      int per = weight.length / filters;
      float[] w2 = new float[weight.length];
      float[] b2 = new float[filters];
      for (int o = 0; o < filters; o++) {
        for (int i = 0; i < per; i++) {
          w2[o * per + i] = weight[o * per + i] * scale[o];
        }
        b2[o] = (bias == null ? 0f : bias[o] * scale[o]) + (shift == null ? 0f : shift[o]);
      }
      weight = w2;
      bias = b2;
      nodes.add(mul);
      if (shift != null) {
        nodes.add(add);
      }
      g.builder.note("a per-channel Mul (and Add) after a Conv (tf2onnx's inference form of Keras's BatchNormalization,"
          + " whose statistics are already folded into it) is folded into that conv's weight and bias");
    } else {
      NodeProto add = g.only(out, "Add");
      float[] shift = add == null ? null : perChannel(g, other(add, out), filters);
      if (shift != null) {
        float[] b2 = new float[filters];
        for (int o = 0; o < filters; o++) {
          b2[o] = (bias == null ? 0f : bias[o]) + shift[o];
        }
        bias = b2;
        nodes.add(add);
      }
    }
    Map<String, float[]> p = new LinkedHashMap<>();
    p.put("weight", weight);
    if (bias != null) {
      p.put("bias", bias);
    }
    boolean hasBias = bias != null;
    Layer.Hw k = new Layer.Hw(kh, kw);
    Layer.Hw s = new Layer.Hw(stride[0], stride[1]);
    Layer.Hw d = new Layer.Hw(dilation[0], dilation[1]);
    ImportValue.Activation y = g.builder.emit(nodes, true, w, "conv2d",
        name -> new Layer.Conv2d(name, filters, k, s, padding, d, groups, hasBias, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN),
        List.of(x), p);
    return g.take(nodes, y);
  }

  /**
   * Rosetta exports a padded avg_pool2d as a depthwise Conv whose kernel is a Constant node of
   * 1/(kh*kw) everywhere (an initialiser would be a trainable conv, whatever its values).
   */
  private static boolean isAveragingKernel(ConstTensor w, int channels, int groups, String bias, int[] dilation) {
    if (w.fromInitializer() || !bias.isEmpty() || groups != channels || w.dims()[0] != channels || w.dims()[1] != 1
        || dilation[0] != 1 || dilation[1] != 1) {
      return false;
    }
    float v = 1f / (w.dims()[2] * w.dims()[3]);
    for (float f : w.floats()) {
      if (f != v) {
        return false;
      }
    }
    return true;
  }

  private static String other(NodeProto binary, String mine) {
    return ImportGraph.input(binary, 0).equals(mine) ? ImportGraph.input(binary, 1) : ImportGraph.input(binary, 0);
  }

  /**
   * A constant holding one value per channel of an NCHW activation: shape {@code [1, C, 1, 1]}
   * or {@code [C, 1, 1]} (a plain {@code [C]} would broadcast along the width instead).
   */
  private static float[] perChannel(ImportGraph g, String tensor, int channels) {
    ConstTensor c = g.constant(tensor);
    if (c == null || !c.isFloat() || c.size() != channels) {
      return null;
    }
    long[] d = c.dims();
    boolean ok = (d.length == 4 && d[0] == 1 && d[1] == channels && d[2] == 1 && d[3] == 1)
        || (d.length == 3 && d[0] == channels && d[1] == 1 && d[2] == 1);
    return ok ? c.floats() : null;
  }

  static boolean maxPool(ImportGraph g, NodeProto n) {
    return pool(g, n, true);
  }

  static boolean averagePool(ImportGraph g, NodeProto n) {
    return pool(g, n, false);
  }

  private static boolean pool(ImportGraph g, NodeProto n, boolean max) {
    ImportValue.Activation x = g.activation(ImportGraph.input(n, 0));
    if (x == null) {
      return false;
    }
    Shape in = image(g, n, x);
    if (max && g.readsOutput(n, 1)) {
      throw g.refuse(n, "its Indices output is used; Rosetta's max_pool2d gives the values only", null);
    }
    long[] ks = ImportGraph.intsAttr(n, "kernel_shape");
    if (ks == null || ks.length != 2) {
      throw g.refuse(n, "kernel_shape " + java.util.Arrays.toString(ks) + " is not 2-D", null);
    }
    int[] k = {(int) ks[0], (int) ks[1]};
    int[] stride = pair(g, n, "strides", 1);
    int[] dilation = pair(g, n, "dilations", 1);
    if (dilation[0] != 1 || dilation[1] != 1) {
      throw g.refuse(n, "dilated pooling (dilations " + java.util.Arrays.toString(dilation) + ") has no Rosetta layer", "max_pool2d without dilation");
    }
    int[] pads = pads(g, n, in, k, stride, dilation);
    if (pads[0] != pads[2] || pads[1] != pads[3]) {
      throw g.refuse(n, "asymmetric padding " + java.util.Arrays.toString(pads) + " ([top, left, bottom, right]); Rosetta's pools pad every side alike",
          "symmetric padding in the source model");
    }
    if (2 * pads[0] > k[0] || 2 * pads[1] > k[1]) {
      throw g.refuse(n, "padding " + pads[0] + ", " + pads[1] + " is more than half the kernel " + k[0] + "x" + k[1] + " (PyTorch's and Rosetta's limit)", null);
    }
    if (ImportGraph.intAttr(n, "ceil_mode", 0) != 0) {
      for (int a = 0; a < 2; a++) {
        int span = in.dim(a + 1) + 2 * pads[a] - k[a];
        if (span % stride[a] != 0) {
          throw g.refuse(n, "ceil_mode=1 gives a larger output than Rosetta's floor mode for this input " + in, "ceil_mode=0 (PyTorch's default)");
        }
      }
    }
    if (!max && (pads[0] > 0 || pads[1] > 0) && ImportGraph.intAttr(n, "count_include_pad", 0) == 0) {
      throw g.refuse(n, "count_include_pad=0 with padding averages over the valid cells only; Rosetta's avg_pool2d counts the padding (PyTorch's default count_include_pad=True)",
          "avg_pool2d with count_include_pad=True, or no padding");
    }
    Layer.Hw kk = new Layer.Hw(k[0], k[1]);
    Layer.Hw s = new Layer.Hw(stride[0], stride[1]);
    Layer.Hw p = new Layer.Hw(pads[0], pads[1]);
    ImportValue.Activation y = max
        ? g.builder.emit(List.of(n), null, "max_pool2d", name -> new Layer.MaxPool2d(name, kk, s, p), List.of(x), Map.of())
        : g.builder.emit(List.of(n), null, "avg_pool2d", name -> new Layer.AvgPool2d(name, kk, s, p), List.of(x), Map.of());
    return g.take(List.of(n), y);
  }

  /**
   * GlobalAveragePool keeps {@code [N, C, 1, 1]}; Rosetta's global_avg_pool2d gives {@code [C]}.
   * A Flatten right after it is taken into the layer; otherwise a reshape back to {@code [C, 1,
   * 1]} keeps ONNX's shape (and is dropped again if a flatten or reshape follows).
   */
  static boolean globalAveragePool(ImportGraph g, NodeProto n) {
    ImportValue.Activation x = g.activation(ImportGraph.input(n, 0));
    if (x == null) {
      return false;
    }
    Shape in = image(g, n, x);
    NodeProto flat = g.only(n.getOutput(0), "Flatten");
    if (flat != null && ImportGraph.intAttr(flat, "axis", 1) == 1) {
      ImportValue.Activation y = g.builder.emit(List.of(n, flat), null, "global_avg_pool2d", Layer.GlobalAvgPool2d::new, List.of(x), Map.of());
      return g.take(List.of(n, flat), y);
    }
    return g.take(List.of(n), pooledKeepingDims(g, n, x, in.dim(0)));
  }

  /**
   * A global_avg_pool2d whose ONNX form keeps {@code [C, 1, 1]} (GlobalAveragePool, ReduceMean
   * with keepdims): the pool, then a reshape back to that shape, which the builder drops again
   * when a flatten or reshape follows.
   */
  static ImportValue.Activation pooledKeepingDims(ImportGraph g, NodeProto n, ImportValue.Activation x, int channels) {
    ImportValue.Activation pooled = g.builder.emit(List.of(n), null, "global_avg_pool2d", Layer.GlobalAvgPool2d::new, List.of(x), Map.of());
    return g.builder.emitSynthetic(pooled.layer() + "_4d", name -> new Layer.Reshape(name, channels, 1, 1), pooled,
        "reshape to [" + channels + ", 1, 1], the shape " + n.getOpType() + " keeps");
  }

  /**
   * Inference-form BatchNormalization: scale, B, mean and var become the layer's weight, bias
   * and running statistics. ONNX's momentum weighs the old running value (Keras's convention,
   * default 0.9); Rosetta's weighs the new batch statistic (PyTorch's), so it is 1 - momentum.
   */
  static boolean batchNormalization(ImportGraph g, NodeProto n) {
    ImportValue.Activation x = g.activation(ImportGraph.input(n, 0));
    if (x == null) {
      return false;
    }
    if (ImportGraph.intAttr(n, "training_mode", 0) != 0) {
      throw g.refuse(n, "training_mode=1 is the training form (batch statistics); only the inference form is a stored model", null);
    }
    for (int i = 1; i < n.getOutputCount(); i++) {
      if (g.readsOutput(n, i)) {
        throw g.refuse(n, "its running-statistics output " + i + " is used: that is the training form", null);
      }
    }
    Shape s = x.onnxShape();
    if (s.rank() != 1 && s.rank() != 3) {
      throw g.refuse(n, "it normalises an activation of shape " + s + "; Rosetta's batch_norm takes [features] or [channels, height, width]", null);
    }
    int c = s.dim(0);
    String[] names = {"weight", "bias", "running_mean", "running_var"};
    Map<String, float[]> p = new LinkedHashMap<>();
    ConstTensor scale = null;
    for (int i = 0; i < 4; i++) {
      ConstTensor t = DensePatterns.weightOperand(g, n, i + 1);
      if (t.size() != c) {
        throw g.refuse(n, "its " + names[i] + " has " + t.size() + " values for " + c + " channels", null);
      }
      if (i == 0) {
        scale = t;
      }
      p.put(names[i], t.floats());
    }
    double epsilon = decimal(ImportGraph.floatAttr(n, "epsilon", 1e-5f));
    double m = complement(ImportGraph.floatAttr(n, "momentum", 0.9f));
    ImportValue.Activation y = g.builder.emit(List.of(n), scale, "batch_norm", name -> new Layer.BatchNorm(name, m, epsilon), List.of(x), p);
    return g.take(List.of(n), y);
  }

  /**
   * The shortest decimal {@code d} with {@code (float) (1 - d) == m}: ONNX's momentum 0.9 (a
   * float) is PyTorch's 0.1, not 0.10000002384.
   */
  static double complement(float m) {
    java.math.BigDecimal exact = new java.math.BigDecimal(1.0 - m);
    for (int digits = 1; digits <= 17; digits++) {
      double d = exact.round(new java.math.MathContext(digits)).doubleValue();
      if ((float) (1.0 - d) == m) {
        return d;
      }
    }
    return 1.0 - m;
  }

  /**
   * The shortest decimal that is the same float32: a float attribute 1e-5 is 9.99999974738e-6 as
   * a double, but the spec should say 1e-5, as the exporter's source did.
   */
  static double decimal(float f) {
    return Double.parseDouble(Float.toString(f));
  }

  /** The activation as one NCHW image sample, or a refusal. */
  private static Shape image(ImportGraph g, NodeProto n, ImportValue.Activation x) {
    if (x.pendingPerm() != null) {
      throw g.refuse(n, "it reads the output of Transpose '" + x.pendingNode() + "', which reorders the axes of an activation;"
          + " Rosetta's images stay NCHW", null);
    }
    if (x.shape().rank() != 3) {
      throw g.refuse(n, "it reads an activation of shape " + x.shape() + " per sample; Rosetta's 2-D image layers take [channels, height, width]", null);
    }
    return x.shape();
  }

  private static int[] pair(ImportGraph g, NodeProto n, String attr, int dflt) {
    long[] v = ImportGraph.intsAttr(n, attr);
    if (v == null) {
      return new int[] {dflt, dflt};
    }
    if (v.length != 2) {
      throw g.refuse(n, attr + " " + java.util.Arrays.toString(v) + " is not 2-D", null);
    }
    return new int[] {(int) v[0], (int) v[1]};
  }

  /** Resolved pads {@code [top, left, bottom, right]} from {@code pads} or {@code auto_pad}. */
  static int[] pads(ImportGraph g, NodeProto n, Shape in, int[] k, int[] stride, int[] dilation) {
    String auto = ImportGraph.stringAttr(n, "auto_pad", "NOTSET");
    switch (auto) {
      case "NOTSET": {
        long[] p = ImportGraph.intsAttr(n, "pads");
        if (p == null) {
          return new int[4];
        }
        if (p.length != 4) {
          throw g.refuse(n, "pads " + java.util.Arrays.toString(p) + " are not 2-D", null);
        }
        return new int[] {(int) p[0], (int) p[1], (int) p[2], (int) p[3]};
      }
      case "VALID":
        return new int[4];
      case "SAME_UPPER":
      case "SAME_LOWER": {
        int[] out = new int[4];
        for (int a = 0; a < 2; a++) {
          int size = in.dim(a + 1);
          int o = (size + stride[a] - 1) / stride[a];
          int total = Math.max(0, (o - 1) * stride[a] + dilation[a] * (k[a] - 1) + 1 - size);
          int small = total / 2;
          boolean upper = auto.equals("SAME_UPPER");
          out[a] = upper ? small : total - small;
          out[a + 2] = upper ? total - small : small;
        }
        return out;
      }
      default:
        throw g.refuse(n, "auto_pad \"" + auto + "\" is not an ONNX padding mode", null);
    }
  }

  /**
   * Symmetric pads are explicit padding; otherwise they must be exactly PyTorch's "same" split
   * (stride 1, the odd extra row and column at the bottom and right).
   */
  private static Layer.Padding convPadding(ImportGraph g, NodeProto n, int[] p, int[] k, int[] stride, int[] d) {
    if (p[0] == p[2] && p[1] == p[3]) {
      return Layer.Padding.explicit(p[0], p[1]);
    }
    Layer.Padding same = Layer.Padding.sameAsInput();
    if (stride[0] == 1 && stride[1] == 1
        && p[0] == same.top(k[0], d[0]) && p[2] == same.bottom(k[0], d[0])
        && p[1] == same.left(k[1], d[1]) && p[3] == same.right(k[1], d[1])) {
      return same;
    }
    throw g.refuse(n, "asymmetric padding " + java.util.Arrays.toString(p) + " ([top, left, bottom, right]); Rosetta pads a conv2d symmetrically or"
        + " \"same\" with stride 1 (extra row and column at the bottom and right, as PyTorch)", "symmetric padding in the source model");
  }
}
