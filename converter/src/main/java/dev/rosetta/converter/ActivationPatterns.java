package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;
import dev.rosetta.spec.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Activations: the single-node ones, SiLU ({@code x * Sigmoid(x)}), and GELU as the Gelu
 * operator (opset 20) or as the element-wise chains exporters write below 20: exact,
 * {@code 0.5 * x * (1 + Erf(x / sqrt 2))}, and the tanh form, {@code 0.5 * x * (1 +
 * Tanh(sqrt(2/pi) * (x + 0.044715 x^3)))}. A chain is matched by its value, not its node order:
 * the products are flattened into their factors ({@link Product}), so torch.onnx's {@code
 * Mul(Mul(x, t), 0.5)} and Rosetta's own {@code Mul(Mul(x, 0.5), t)} are the same GELU.
 */
final class ActivationPatterns {
  private static final double SQRT2 = Math.sqrt(2);
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
  private static final double KAPPA = 0.044715;

  private ActivationPatterns() {}

  static boolean relu(ImportGraph g, NodeProto n) {
    return unary(g, n, "relu", Layer.Relu::new);
  }

  static boolean tanh(ImportGraph g, NodeProto n) {
    return unary(g, n, "tanh", Layer.Tanh::new);
  }

  static boolean leakyRelu(ImportGraph g, NodeProto n) {
    double slope = ConvPatterns.decimal(ImportGraph.floatAttr(n, "alpha", 0.01f));
    if (slope < 0) {
      throw g.refuse(n, "a negative slope (alpha " + slope + ") is not monotonic; Rosetta's leaky_relu needs a slope >= 0", null);
    }
    return unary(g, n, "leaky_relu", name -> new Layer.LeakyRelu(name, slope));
  }

  static boolean elu(ImportGraph g, NodeProto n) {
    double alpha = ConvPatterns.decimal(ImportGraph.floatAttr(n, "alpha", 1f));
    if (alpha <= 0) {
      throw g.refuse(n, "Rosetta's elu needs alpha > 0 (got " + alpha + ")", null);
    }
    return unary(g, n, "elu", name -> new Layer.Elu(name, alpha));
  }

  /** Sigmoid, or SiLU when its only reader multiplies it by the Sigmoid's own input. */
  static boolean sigmoid(ImportGraph g, NodeProto n) {
    String x = ImportGraph.input(n, 0);
    ImportValue.Activation a = g.activation(x);
    if (a == null) {
      return false;
    }
    NodeProto mul = g.only(n.getOutput(0), "Mul");
    if (mul != null && (ImportGraph.input(mul, 0).equals(x) || ImportGraph.input(mul, 1).equals(x))) {
      ImportValue.Activation y = g.builder.emitElementwise(List.of(n, mul), "silu", Layer.Silu::new, a);
      return g.take(List.of(n, mul), y);
    }
    return unary(g, n, "sigmoid", Layer.Sigmoid::new);
  }

  /**
   * Rosetta's softmax is over the last axis. ONNX's axis counts the batch axis; before opset 13
   * Softmax flattens from {@code axis} on, which is the same thing only when axis is the last.
   */
  static boolean softmax(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    int rank = a.onnxShape().rank() + 1;
    long axis = ImportGraph.intAttr(n, "axis", g.opset >= 13 ? -1 : 1);
    long resolved = axis < 0 ? axis + rank : axis;
    if (resolved != rank - 1) {
      throw g.refuse(n, "softmax over axis " + axis + " of a rank-" + rank + " tensor; Rosetta's softmax is over the last axis", null);
    }
    return unary(g, n, "softmax", Layer.Softmax::new);
  }

  /** The Gelu operator (opset 20). */
  static boolean gelu(ImportGraph g, NodeProto n) {
    String approximate = ImportGraph.stringAttr(n, "approximate", "none");
    Layer.Gelu.Approximation form = switch (approximate) {
      case "none" -> Layer.Gelu.Approximation.NONE;
      case "tanh" -> Layer.Gelu.Approximation.TANH;
      default -> throw g.refuse(n, "approximate=\"" + approximate + "\" is not a GELU form", null);
    };
    return unary(g, n, "gelu", name -> new Layer.Gelu(name, form));
  }

  private static boolean unary(ImportGraph g, NodeProto n, String type, Function<String, Layer> make) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    ImportValue.Activation y = g.builder.emitElementwise(List.of(n), type, make, a);
    return g.take(List.of(n), y);
  }

  /**
   * Exact GELU from its first node, {@code x / sqrt 2} (Div) or {@code x * (1 / sqrt 2)} (Mul):
   * then Erf, {@code + 1}, and a product whose factors are x, that sum and 0.5.
   */
  static boolean geluErf(ImportGraph g, NodeProto root) {
    String x = activationOperand(g, root);
    if (x == null) {
      return false;
    }
    double c = scalarOperand(g, root, x);
    boolean scaled = root.getOpType().equals("Div") ? near(c, SQRT2) : near(c, 1 / SQRT2);
    if (!scaled) {
      return false;
    }
    NodeProto erf = g.only(root.getOutput(0), "Erf");
    if (erf == null) {
      return false;
    }
    List<NodeProto> chain = new ArrayList<>(List.of(root, erf));
    return finishGelu(g, x, erf.getOutput(0), chain, Layer.Gelu.Approximation.NONE);
  }

  /**
   * Tanh GELU from its first node, {@code x * x}: a product of x, x, x and 0.044715, {@code x +}
   * that, times sqrt(2/pi), Tanh, {@code + 1}, and the product of x, that sum and 0.5.
   */
  static boolean geluTanh(ImportGraph g, NodeProto root) {
    String x = ImportGraph.input(root, 0);
    if (!x.equals(ImportGraph.input(root, 1)) || g.activation(x) == null) {
      return false;
    }
    List<NodeProto> chain = new ArrayList<>();
    Product cube = Product.upFrom(g, root, 4, p -> p.is(g, x, x, x, KAPPA));
    if (cube == null) {
      return false;
    }
    chain.addAll(cube.nodes());
    NodeProto sum = g.only(cube.top().getOutput(0), "Add");
    if (sum == null || !otherOperand(sum, cube.top().getOutput(0)).equals(x)) {
      return false;
    }
    chain.add(sum);
    NodeProto first = g.only(sum.getOutput(0), "Mul");
    if (first == null) {
      return false;
    }
    String inner = sum.getOutput(0);
    Product scaled = Product.upFrom(g, first, 2, p -> p.is(g, inner, SQRT_2_OVER_PI));
    if (scaled == null) {
      return false;
    }
    chain.addAll(scaled.nodes());
    NodeProto tanh = g.only(scaled.top().getOutput(0), "Tanh");
    if (tanh == null) {
      return false;
    }
    chain.add(tanh);
    return finishGelu(g, x, tanh.getOutput(0), chain, Layer.Gelu.Approximation.TANH);
  }

  /** {@code curve + 1} and then {@code x * that * 0.5} in any grouping. */
  private static boolean finishGelu(ImportGraph g, String x, String curve, List<NodeProto> chain, Layer.Gelu.Approximation form) {
    NodeProto plusOne = g.only(curve, "Add");
    if (plusOne == null || !near(scalarOperand(g, plusOne, curve), 1)) {
      return false;
    }
    chain.add(plusOne);
    String t = plusOne.getOutput(0);
    NodeProto first = g.only(t, "Mul");
    if (first == null) {
      return false;
    }
    Product product = Product.upFrom(g, first, 3, p -> p.is(g, x, t, 0.5));
    if (product == null) {
      return false;
    }
    chain.addAll(product.nodes());
    ImportValue.Activation a = g.activation(x);
    ImportValue.Activation y = g.builder.emitElementwise(chain, "gelu", name -> new Layer.Gelu(name, form), a);
    return g.take(chain, y);
  }

  /** The operand of a binary node that is an activation, if exactly one is. */
  private static String activationOperand(ImportGraph g, NodeProto n) {
    boolean a0 = g.activation(ImportGraph.input(n, 0)) != null;
    boolean a1 = g.activation(ImportGraph.input(n, 1)) != null;
    if (a0 == a1) {
      return null;
    }
    // x / c only: c / x is not a GELU.
    if (n.getOpType().equals("Div") && !a0) {
      return null;
    }
    return a0 ? ImportGraph.input(n, 0) : ImportGraph.input(n, 1);
  }

  private static String otherOperand(NodeProto n, String one) {
    return ImportGraph.input(n, 0).equals(one) ? ImportGraph.input(n, 1) : ImportGraph.input(n, 0);
  }

  /** The value of the scalar constant that {@code n} combines with {@code with}; NaN if none. */
  static double scalarOperand(ImportGraph g, NodeProto n, String with) {
    ConstTensor c = g.constant(otherOperand(n, with));
    return c == null ? Double.NaN : c.scalar();
  }

  /** Within float32 rounding of the exact constant. */
  static boolean near(double v, double exact) {
    return Math.abs(v - exact) <= 1e-6 * Math.max(1, Math.abs(exact));
  }

  /**
   * A tree of Mul nodes and its leaves: each Mul's inputs that another Mul of the tree wrote
   * (read by nothing else) are opened up, the others are factors.
   */
  record Product(NodeProto top, List<NodeProto> nodes, List<String> factors) {
    /**
     * Climbs from {@code start} through Muls that read it alone, at most {@code maxFactors - 1}
     * levels, and returns the first tree whose factors pass {@code accept}.
     */
    static Product upFrom(ImportGraph g, NodeProto start, int maxFactors, java.util.function.Predicate<Product> accept) {
      NodeProto top = start;
      for (int level = 0; level < maxFactors && top != null; level++) {
        Product p = of(g, top);
        if (p.factors().size() > maxFactors) {
          return null;
        }
        if (accept.test(p)) {
          return p;
        }
        top = g.only(top.getOutput(0), "Mul");
      }
      return null;
    }

    static Product of(ImportGraph g, NodeProto top) {
      List<NodeProto> nodes = new ArrayList<>();
      List<String> factors = new ArrayList<>();
      open(g, top, nodes, factors);
      return new Product(top, nodes, factors);
    }

    /** Post-order, so the top (the node writing the product, which names the layer) comes last. */
    private static void open(ImportGraph g, NodeProto mul, List<NodeProto> nodes, List<String> factors) {
      for (String in : mul.getInputList()) {
        NodeProto p = g.producer(in);
        boolean inner = p != null && p.getOpType().equals("Mul") && !g.consumed(p)
            && g.consumers(in).size() == 1 && !g.isGraphOutput(in) && g.activation(in) == null
            && !(g.value(in) instanceof ImportValue.Constant);
        if (inner) {
          open(g, p, nodes, factors);
        } else {
          factors.add(in);
        }
      }
      nodes.add(mul);
    }

    /**
     * True when the factors are exactly the given tensors (Strings) and scalar constants
     * (Doubles, compared within float32 rounding), in any order.
     */
    boolean is(ImportGraph g, Object... expected) {
      if (factors.size() != expected.length) {
        return false;
      }
      List<String> left = new ArrayList<>(factors);
      for (Object e : expected) {
        boolean found = false;
        for (int i = 0; i < left.size() && !found; i++) {
          String f = left.get(i);
          if (e instanceof String s ? f.equals(s) : constantNear(g, f, (Double) e)) {
            left.remove(i);
            found = true;
          }
        }
        if (!found) {
          return false;
        }
      }
      return true;
    }

    private static boolean constantNear(ImportGraph g, String tensor, double v) {
      ConstTensor c = g.constant(tensor);
      return c != null && c.isFloat() && near(c.scalar(), v);
    }
  }
}
