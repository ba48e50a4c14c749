package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layer normalisation: the LayerNormalization operator (opset 17 on) and the chain exporters
 * write below it, {@code ReduceMean -> Sub -> Pow(2) (or Mul by itself) -> ReduceMean -> Add(eps)
 * -> Sqrt -> Div -> Mul(weight) -> Add(bias)}; and a ReduceMean over the two spatial axes, which
 * is a global average pool.
 */
final class NormPatterns {
  private NormPatterns() {}

  static boolean layerNormalization(ImportGraph g, NodeProto n) {
    ImportValue.Activation x = g.activation(ImportGraph.input(n, 0));
    if (x == null) {
      return false;
    }
    for (int i = 1; i < n.getOutputCount(); i++) {
      if (g.readsOutput(n, i)) {
        throw g.refuse(n, "its Mean or InvStdDev output is used; a layer norm gives only the normalised values", null);
      }
    }
    Shape s = x.onnxShape();
    int rank = s.rank() + 1;
    long axis = ImportGraph.intAttr(n, "axis", -1);
    long first = axis < 0 ? axis + rank : axis;
    if (first < 1 || first >= rank) {
      throw g.refuse(n, "axis " + axis + " normalises over the batch axis; a layer norm normalises within each sample", null);
    }
    int axes = (int) (rank - first);
    ConstTensor scale = DensePatterns.weightOperand(g, n, 1);
    String b = ImportGraph.input(n, 2);
    ConstTensor bias = b.isEmpty() ? null : DensePatterns.weightOperand(g, n, 2);
    double epsilon = ConvPatterns.decimal(ImportGraph.floatAttr(n, "epsilon", 1e-5f));
    emit(g, List.of(n), x, axes, epsilon, scale, bias);
    return true;
  }

  /** The decomposed chain, from its first ReduceMean. */
  static boolean layerNormDecomposed(ImportGraph g, NodeProto mean) {
    String xName = ImportGraph.input(mean, 0);
    ImportValue.Activation x = g.activation(xName);
    if (x == null || x.pendingPerm() != null) {
      return false;
    }
    Shape s = x.shape();
    int axes = trailingAxes(g, mean, s.rank() + 1);
    if (axes <= 0 || ImportGraph.intAttr(mean, "keepdims", 1) != 1) {
      return false;
    }
    NodeProto sub = g.only(mean.getOutput(0), "Sub");
    if (sub == null || !ImportGraph.input(sub, 0).equals(xName)) {
      return false;
    }
    String d = sub.getOutput(0);
    List<NodeProto> readers = g.consumers(d);
    NodeProto square = null;
    NodeProto div = null;
    for (NodeProto r : readers) {
      boolean pow = r.getOpType().equals("Pow") && ImportGraph.input(r, 0).equals(d)
          && ActivationPatterns.near(ActivationPatterns.scalarOperand(g, r, d), 2);
      boolean self = r.getOpType().equals("Mul") && ImportGraph.input(r, 0).equals(d) && ImportGraph.input(r, 1).equals(d);
      if (pow || self) {
        square = square == null ? r : null;
      } else if (r.getOpType().equals("Div") && ImportGraph.input(r, 0).equals(d)) {
        div = r;
      } else {
        return false;
      }
    }
    if (square == null || div == null || readers.size() != 2 || g.isGraphOutput(d)) {
      return false;
    }
    NodeProto var = g.only(square.getOutput(0), "ReduceMean");
    if (var == null || trailingAxes(g, var, s.rank() + 1) != axes) {
      return false;
    }
    NodeProto addEps = g.only(var.getOutput(0), "Add");
    double eps = addEps == null ? Double.NaN : ActivationPatterns.scalarOperand(g, addEps, var.getOutput(0));
    if (!(eps > 0)) {
      return false;
    }
    NodeProto sqrt = g.only(addEps.getOutput(0), "Sqrt");
    if (sqrt == null || g.only(sqrt.getOutput(0), "Div") != div || !ImportGraph.input(div, 1).equals(sqrt.getOutput(0))) {
      return false;
    }
    List<NodeProto> chain = new ArrayList<>(List.of(mean, sub, square, var, addEps, sqrt, div));
    long size = normalizedSize(s, axes);
    ConstTensor weight = affine(g, chain, "Mul", size);
    ConstTensor bias = affine(g, chain, "Add", size);
    double epsilon = ConvPatterns.decimal((float) eps);
    emit(g, chain, x, axes, epsilon, weight, bias);
    return true;
  }

  /**
   * The elementwise-affine step after the normalisation, when the chain's last node is read
   * only by {@code op} with a constant of the normalised size: that constant (the step is added
   * to the chain), else null.
   */
  private static ConstTensor affine(ImportGraph g, List<NodeProto> chain, String op, long size) {
    String out = chain.get(chain.size() - 1).getOutput(0);
    NodeProto n = g.only(out, op);
    ConstTensor c = n == null ? null : g.constant(otherOf(n, out));
    if (c == null || !c.isFloat() || c.size() != size) {
      return null;
    }
    chain.add(n);
    return c;
  }

  /** ReduceMean over the spatial axes of an image: a global average pool. */
  static boolean reduceMeanPool(ImportGraph g, NodeProto n) {
    ImportValue.Activation x = g.activation(ImportGraph.input(n, 0));
    if (x == null || x.pendingPerm() != null || x.shape().rank() != 3) {
      return false;
    }
    long[] axes = axes(g, n);
    if (axes == null || axes.length != 2) {
      return false;
    }
    java.util.Set<Long> a = new java.util.HashSet<>();
    for (long v : axes) {
      a.add(v < 0 ? v + 4 : v);
    }
    if (!a.equals(java.util.Set.of(2L, 3L))) {
      return false;
    }
    ImportValue.Activation y = ImportGraph.intAttr(n, "keepdims", 1) != 0
        ? ConvPatterns.pooledKeepingDims(g, n, x, x.shape().dim(0))
        : g.builder.emit(List.of(n), null, "global_avg_pool2d", Layer.GlobalAvgPool2d::new, List.of(x), Map.of());
    return g.take(List.of(n), y);
  }

  private static long normalizedSize(Shape s, int axes) {
    long size = 1;
    for (int k = s.rank() - axes; k < s.rank(); k++) {
      size *= s.dim(k);
    }
    return size;
  }

  private static String otherOf(NodeProto n, String one) {
    return ImportGraph.input(n, 0).equals(one) ? ImportGraph.input(n, 1) : ImportGraph.input(n, 0);
  }

  /** ReduceMean's axes: an attribute before opset 18, an input from 18. */
  private static long[] axes(ImportGraph g, NodeProto n) {
    if (g.opset >= 18) {
      ConstTensor c = g.constant(ImportGraph.input(n, 1));
      return c == null ? null : c.longs();
    }
    return ImportGraph.intsAttr(n, "axes");
  }

  /** How many trailing axes a ReduceMean reduces, if exactly the last k of a rank-{@code rank} tensor; else -1. */
  private static int trailingAxes(ImportGraph g, NodeProto n, int rank) {
    long[] axes = axes(g, n);
    if (axes == null || axes.length == 0) {
      return -1;
    }
    java.util.Set<Long> got = new java.util.HashSet<>();
    for (long a : axes) {
      got.add(a < 0 ? a + rank : a);
    }
    int k = axes.length;
    for (int i = 0; i < k; i++) {
      if (!got.contains((long) (rank - 1 - i))) {
        return -1;
      }
    }
    return rank - k >= 1 ? k : -1;
  }

  private static void emit(ImportGraph g, List<NodeProto> nodes, ImportValue.Activation x, int axes, double epsilon,
      ConstTensor weight, ConstTensor bias) {
    int[] dims = x.onnxShape().dims();
    int size = 1;
    for (int k = dims.length - axes; k < dims.length; k++) {
      size *= dims[k];
    }
    NodeProto last = nodes.get(nodes.size() - 1);
    float[] w = weight == null ? filled(size, 1f) : weight.floats();
    float[] b = bias == null ? filled(size, 0f) : bias.floats();
    if (w.length != size || b.length != size) {
      throw g.refuse(last, "its scale or bias has " + w.length + " / " + b.length + " values for " + size + " normalised values", null);
    }
    Map<String, float[]> p = new LinkedHashMap<>();
    p.put("weight", w);
    p.put("bias", b);
    ImportValue.Activation y = g.builder.emit(nodes, weight, "layer_norm", name -> new Layer.LayerNorm(name, axes, epsilon), List.of(x), p);
    g.take(nodes, y);
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
