package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fully connected layers: {@code Gemm} (PyTorch's Linear, any transA/transB, alpha and beta
 * folded into the weights) and {@code MatMul} by a weight, with the {@code Add} of a bias after
 * it when there is one (Keras through tf2onnx, Rosetta's own dense on rank > 1).
 */
final class DensePatterns {
  private DensePatterns() {}

  static boolean gemm(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      requireNoActivationOperand(g, n, 1);
      return false;
    }
    ConstTensor b = weightOperand(g, n, 1);
    if (a.onnxShape().rank() != 1) {
      throw g.refuse(n, "Gemm multiplies matrices, but it reads an activation of shape [batch, " + a.onnxShape().toString().substring(1), null);
    }
    if (ImportGraph.intAttr(n, "transA", 0) != 0) {
      throw g.refuse(n, "transA=1 transposes the [batch, features] activation, so the batch axis would be summed over;"
          + " that mixes samples and is no layer", "a Gemm with transA=0 (torch.nn.Linear)");
    }
    if (b.rank() != 2) {
      throw g.refuse(n, "its weight has shape " + java.util.Arrays.toString(b.dims()) + ", not a matrix", null);
    }
    boolean transB = ImportGraph.intAttr(n, "transB", 0) != 0;
    float alpha = ImportGraph.floatAttr(n, "alpha", 1f);
    float beta = ImportGraph.floatAttr(n, "beta", 1f);
    ConstTensor w = transB ? b : b.transposed(new int[] {1, 0});
    int out = (int) w.dims()[0];
    float[] weight = scaled(w.floats(), alpha);
    float[] bias = null;
    List<NodeProto> nodes = new ArrayList<>(List.of(n));
    String c = ImportGraph.input(n, 2);
    if (!c.isEmpty() && beta != 0f) {
      requireNoActivationOperand(g, n, 2);
      ConstTensor ct = g.constant(c);
      float[] perUnit = ct == null ? null : broadcastLast(ct, out);
      if (perUnit == null) {
        throw g.refuse(n, "its C operand has shape " + (ct == null ? "?" : java.util.Arrays.toString(ct.dims()))
            + "; only a bias of one value per output unit (shape [" + out + "] or [1, " + out + "]) is a dense layer's bias", null);
      }
      bias = scaled(perUnit, beta);
    }
    if (bias == null) {
      bias = trailingBias(g, n.getOutput(0), out, nodes);
    }
    dense(g, nodes, a, weight, out, bias, b);
    return true;
  }

  static boolean matMul(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      if (g.activation(ImportGraph.input(n, 1)) != null) {
        throw g.refuse(n, "it multiplies a constant by the activation from the left; a dense layer multiplies the activation by its weight", null);
      }
      return false;
    }
    ConstTensor b = weightOperand(g, n, 1);
    if (b.rank() != 2) {
      throw g.refuse(n, "its second operand has shape " + java.util.Arrays.toString(b.dims())
          + "; a dense layer multiplies by one [in, out] matrix", null);
    }
    if (a.onnxShape().dim(-1) != b.dims()[0]) {
      throw g.refuse(n, "it multiplies an activation of shape " + a.onnxShape() + " by a " + java.util.Arrays.toString(b.dims()) + " matrix", null);
    }
    ConstTensor w = b.transposed(new int[] {1, 0});
    int out = (int) w.dims()[0];
    List<NodeProto> nodes = new ArrayList<>(List.of(n));
    float[] bias = trailingBias(g, n.getOutput(0), out, nodes);
    dense(g, nodes, a, w.floats(), out, bias, b);
    return true;
  }

  /**
   * The {@code Add} of a bias after a product, when the product has no other reader: tf2onnx's
   * BiasAdd, Rosetta's dense on rank > 1. Adds the node to {@code nodes}.
   */
  private static float[] trailingBias(ImportGraph g, String product, int out, List<NodeProto> nodes) {
    NodeProto add = g.only(product, "Add");
    if (add == null) {
      return null;
    }
    String other = ImportGraph.input(add, 0).equals(product) ? ImportGraph.input(add, 1) : ImportGraph.input(add, 0);
    ConstTensor c = g.constant(other);
    float[] bias = c == null ? null : broadcastLast(c, out);
    if (bias == null) {
      return null;
    }
    nodes.add(add);
    return bias;
  }

  /** Emits the dense layer; an NHWC feature order before it is undone in its weight's columns. */
  private static void dense(ImportGraph g, List<NodeProto> nodes, ImportValue.Activation a, float[] weight, int out, float[] bias, ConstTensor named) {
    int in = weight.length / out;
    ImportValue.Activation x = a;
    float[] w = weight;
    if (a.featureOrder() != null) {
      int[] order = a.featureOrder();
      w = new float[weight.length];
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < in; i++) {
          w[o * in + i] = weight[o * in + order[i]];
        }
      }
      x = new ImportValue.Activation(a.layer(), a.shape(), a.pendingPerm(), a.pendingNode(), null);
    }
    if (x.onnxShape().dim(-1) != in) {
      throw g.refuse(nodes.get(0), "its weight expects " + in + " input features but the activation has shape " + x.onnxShape(), null);
    }
    Map<String, float[]> p = new LinkedHashMap<>();
    p.put("weight", w);
    if (bias != null) {
      p.put("bias", bias);
    }
    boolean hasBias = bias != null;
    ImportValue.Activation y = g.builder.emit(nodes, true, named, "dense",
        name -> new Layer.Dense(name, out, hasBias, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN), List.of(x), p);
    g.take(nodes, y);
  }

  /** The constant weight at input {@code i}; refuses when it is computed at run time. */
  static ConstTensor weightOperand(ImportGraph g, NodeProto n, int i) {
    requireNoActivationOperand(g, n, i);
    ConstTensor b = g.constant(ImportGraph.input(n, i));
    if (b == null || !b.isFloat()) {
      throw g.refuse(n, "its weight '" + ImportGraph.input(n, i) + "' is not a float tensor stored in the file", null);
    }
    return b;
  }

  /**
   * Refuses a weight operand computed from the model input: a product of two activations, or a
   * weight fed as a graph input, has no stored weights a layer could train.
   */
  static void requireNoActivationOperand(ImportGraph g, NodeProto n, int i) {
    String t = ImportGraph.input(n, i);
    ImportValue.Activation w = g.activation(t);
    if (w == null) {
      return;
    }
    NodeProto p = g.producer(t);
    String via = w.pendingNode() != null ? " (through Transpose '" + w.pendingNode() + "')"
        : p != null ? " (through " + g.describe(p) + ")" : "";
    throw g.refuse(n, "its operand '" + t + "' is computed from the model input" + via
        + ", not stored in the file: weights computed at run time cannot become a trainable layer", null);
  }

  private static float[] scaled(float[] v, float by) {
    if (by == 1f) {
      return v;
    }
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * by;
    }
    return out;
  }

  /**
   * One value per unit of the last axis: a tensor of {@code n} values whose other axes are 1
   * ([n], [1, n]), or one value for all.
   */
  static float[] broadcastLast(ConstTensor c, int n) {
    if (!c.isFloat()) {
      return null;
    }
    long[] d = c.dims();
    if (c.size() == 1) {
      float[] v = new float[n];
      java.util.Arrays.fill(v, c.floats()[0]);
      return v;
    }
    if (c.size() != n || d[d.length - 1] != n) {
      return null;
    }
    return c.floats();
  }
}
