package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Evaluates the nodes that compute no layer: Constant nodes, constants transformed by other
 * constants (a Transpose of a weight, a Cast of a shape), and the shape arithmetic exporters
 * write around a reshape ({@code Shape -> Gather -> Unsqueeze -> Concat}), where the batch size
 * stays symbolic ({@link ImportValue.ShapeVector#BATCH}). A node whose inputs include an
 * activation is not folded (except {@code Shape}, which only reads its shape): it is a layer.
 */
final class ConstantFolding {
  static final Set<String> OPS =
      Set.of("Constant", "Identity", "Cast", "Transpose", "Reshape", "Squeeze", "Unsqueeze", "Concat",
          "Gather", "Slice", "Shape", "ConstantOfShape");

  private ConstantFolding() {}

  static boolean handles(NodeProto n) {
    return ImportGraph.isStandard(n) && handles(n.getOpType());
  }

  static boolean handles(String op) {
    return OPS.contains(op);
  }

  /**
   * Evaluates {@code n} if it can be: sets its output's value, marks it consumed and returns
   * true. False when an input is not known yet, is an activation, or the case is not one this
   * class evaluates; the walk then treats the node as a layer or refuses it.
   */
  static boolean evaluate(ImportGraph g, NodeProto n) {
    List<ImportValue> ins = new ArrayList<>();
    Set<String> sources = new LinkedHashSet<>();
    for (String in : n.getInputList()) {
      if (in.isEmpty()) {
        ins.add(null);
        continue;
      }
      ImportValue v = g.value(in);
      if (v == null) {
        return false;
      }
      ins.add(v);
      sources.addAll(g.sourceNodes(in));
    }
    sources.add(g.name(n));
    List<String> nodes = List.copyOf(sources);
    ImportValue out;
    if (n.getOpType().equals("Shape")) {
      out = shapeOf(n, ins.get(0), nodes);
    } else if (ins.stream().anyMatch(v -> v instanceof ImportValue.Activation)) {
      return false;
    } else if (ins.stream().anyMatch(v -> v instanceof ImportValue.ShapeVector)) {
      out = shapeArithmetic(g, n, ins, nodes);
    } else {
      ConstTensor t = fold(g, n, ins);
      out = t == null ? null : new ImportValue.Constant(t, nodes);
    }
    if (out == null) {
      return false;
    }
    g.consume(n);
    g.set(n.getOutput(0), out);
    return true;
  }

  private static ImportValue shapeOf(NodeProto n, ImportValue in, List<String> nodes) {
    long[] full;
    if (in instanceof ImportValue.Activation a) {
      int[] d = a.onnxShape().dims();
      full = new long[d.length + 1];
      full[0] = ImportValue.ShapeVector.BATCH;
      for (int k = 0; k < d.length; k++) {
        full[k + 1] = d[k];
      }
    } else if (in instanceof ImportValue.Constant c) {
      full = c.tensor().dims();
    } else {
      return null;
    }
    int r = full.length;
    int start = (int) clampIndex(ImportGraph.intAttr(n, "start", 0), r);
    int end = (int) clampIndex(ImportGraph.intAttr(n, "end", r), r);
    long[] dims = java.util.Arrays.copyOfRange(full, start, Math.max(start, end));
    if (in instanceof ImportValue.Constant) {
      return new ImportValue.Constant(ConstTensor.ofInts(new long[] {dims.length}, dims), nodes);
    }
    return new ImportValue.ShapeVector(dims, false, nodes);
  }

  private static long clampIndex(long i, int len) {
    if (i < 0) {
      i += len;
    }
    return Math.max(0, Math.min(len, i));
  }

  /** Constants in, constant out; null for a case not handled. */
  private static ConstTensor fold(ImportGraph g, NodeProto n, List<ImportValue> ins) {
    ConstTensor x = ins.isEmpty() || ins.get(0) == null ? null : ((ImportValue.Constant) ins.get(0)).tensor();
    if (x == null && !n.getOpType().equals("Constant")) {
      return null;
    }
    switch (n.getOpType()) {
      case "Constant":
        return constantNode(g, n);
      case "Identity":
        return x;
      case "Cast":
        return cast(x, (int) ImportGraph.intAttr(n, "to", TensorProto.DataType.FLOAT.getNumber()));
      case "Transpose": {
        long[] p = ImportGraph.intsAttr(n, "perm");
        int[] perm = new int[x.rank()];
        for (int k = 0; k < perm.length; k++) {
          perm[k] = p == null ? perm.length - 1 - k : (int) p[k];
        }
        return x.transposed(perm);
      }
      case "Reshape": {
        long[] target = constInts(ins, 1);
        long[] dims = resolveReshape(x.dims(), target, ImportGraph.intAttr(n, "allowzero", 0) != 0);
        return dims == null ? null : x.reshaped(dims);
      }
      case "Squeeze":
      case "Unsqueeze": {
        long[] axes = g.opset >= 13 ? constInts(ins, 1) : ImportGraph.intsAttr(n, "axes");
        long[] dims = n.getOpType().equals("Squeeze") ? squeeze(x.dims(), axes) : unsqueeze(x.dims(), axes);
        return dims == null ? null : x.reshaped(dims);
      }
      case "Concat": {
        if (ins.stream().anyMatch(v -> v == null || ((ImportValue.Constant) v).tensor().rank() != 1)) {
          return null;
        }
        List<ConstTensor> parts = ins.stream().map(v -> ((ImportValue.Constant) v).tensor()).toList();
        return concat1d(parts);
      }
      case "Gather": {
        if (x.rank() != 1 || ImportGraph.intAttr(n, "axis", 0) != 0) {
          return null;
        }
        ConstTensor idx = ((ImportValue.Constant) ins.get(1)).tensor();
        long[] ix = idx.longs();
        if (x.isFloat()) {
          float[] out = new float[ix.length];
          for (int i = 0; i < ix.length; i++) {
            out[i] = x.floats()[(int) wrap(ix[i], x.floats().length)];
          }
          return ConstTensor.ofFloats(idx.dims(), out, null, false);
        }
        long[] out = new long[ix.length];
        for (int i = 0; i < ix.length; i++) {
          out[i] = x.ints()[(int) wrap(ix[i], x.ints().length)];
        }
        return ConstTensor.ofInts(idx.dims(), out);
      }
      case "Slice": {
        if (x.rank() != 1 || x.isFloat()) {
          return null;
        }
        long[] out = slice1d(g, n, x.ints(), ins);
        return out == null ? null : ConstTensor.ofInts(new long[] {out.length}, out);
      }
      case "ConstantOfShape": {
        long[] dims = x.longs();
        AttributeProto a = ImportGraph.attribute(n, "value");
        ConstTensor fill = a == null
            ? ConstTensor.ofFloats(new long[] {1}, new float[] {0f}, null, false)
            : OnnxTensors.read(a.getT(), g.file, false);
        int size = Math.toIntExact(OnnxTensors.elements(dims));
        if (fill.isFloat()) {
          float[] v = new float[size];
          java.util.Arrays.fill(v, fill.floats()[0]);
          return ConstTensor.ofFloats(dims, v, null, false);
        }
        long[] v = new long[size];
        java.util.Arrays.fill(v, fill.ints()[0]);
        return ConstTensor.ofInts(dims, v);
      }
      default:
        return null;
    }
  }

  private static ConstTensor constantNode(ImportGraph g, NodeProto n) {
    for (AttributeProto a : n.getAttributeList()) {
      switch (a.getName()) {
        case "value":
          return OnnxTensors.read(a.getT(), g.file, false);
        case "value_float":
          return ConstTensor.ofFloats(new long[0], new float[] {a.getF()}, null, false);
        case "value_floats": {
          float[] v = new float[a.getFloatsCount()];
          for (int i = 0; i < v.length; i++) {
            v[i] = a.getFloats(i);
          }
          return ConstTensor.ofFloats(new long[] {v.length}, v, null, false);
        }
        case "value_int":
          return ConstTensor.ofInts(new long[0], new long[] {a.getI()});
        case "value_ints":
          return ConstTensor.ofInts(new long[] {a.getIntsCount()}, a.getIntsList().stream().mapToLong(Long::longValue).toArray());
        default:
          break;
      }
    }
    return null;
  }

  private static ConstTensor cast(ConstTensor x, int to) {
    TensorProto.DataType t = TensorProto.DataType.forNumber(to);
    boolean toFloat = t == TensorProto.DataType.FLOAT || t == TensorProto.DataType.DOUBLE;
    if (toFloat == x.isFloat()) {
      return x;
    }
    if (toFloat) {
      long[] v = x.ints();
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = v[i];
      }
      return ConstTensor.ofFloats(x.dims(), f, x.origin(), x.fromInitializer());
    }
    return ConstTensor.ofInts(x.dims(), x.longs());
  }

  /** Integer values of constant input {@code i}, or null when it is absent. */
  private static long[] constInts(List<ImportValue> ins, int i) {
    if (i >= ins.size() || !(ins.get(i) instanceof ImportValue.Constant c)) {
      return null;
    }
    return c.tensor().longs();
  }

  /** ONNX Reshape of a known shape: 0 copies the input's axis (unless allowzero), -1 is inferred. */
  static long[] resolveReshape(long[] in, long[] target, boolean allowZero) {
    if (target == null) {
      return null;
    }
    long total = OnnxTensors.elements(in);
    long[] out = target.clone();
    int infer = -1;
    long known = 1;
    for (int k = 0; k < out.length; k++) {
      if (out[k] == 0 && !allowZero) {
        if (k >= in.length) {
          return null;
        }
        out[k] = in[k];
      }
      if (out[k] == -1) {
        if (infer >= 0) {
          return null;
        }
        infer = k;
      } else {
        known *= out[k];
      }
    }
    if (infer >= 0) {
      if (known == 0 || total % known != 0) {
        return null;
      }
      out[infer] = total / known;
    }
    return OnnxTensors.elements(out) == total ? out : null;
  }

  static long[] squeeze(long[] dims, long[] axes) {
    List<Long> out = new ArrayList<>();
    for (int k = 0; k < dims.length; k++) {
      boolean drop = axes == null ? dims[k] == 1 : contains(axes, k, dims.length);
      if (drop && dims[k] != 1) {
        return null;
      }
      if (!drop) {
        out.add(dims[k]);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  static long[] unsqueeze(long[] dims, long[] axes) {
    if (axes == null) {
      return null;
    }
    int r = dims.length + axes.length;
    long[] out = new long[r];
    int j = 0;
    for (int k = 0; k < r; k++) {
      out[k] = contains(axes, k, r) ? 1 : dims[j++];
    }
    return j == dims.length ? out : null;
  }

  private static boolean contains(long[] axes, int k, int rank) {
    for (long a : axes) {
      if ((a < 0 ? a + rank : a) == k) {
        return true;
      }
    }
    return false;
  }

  private static long wrap(long i, int len) {
    return i < 0 ? i + len : i;
  }

  private static ConstTensor concat1d(List<ConstTensor> parts) {
    boolean floats = parts.get(0).isFloat();
    int n = parts.stream().mapToInt(p -> (int) p.size()).sum();
    if (floats) {
      float[] v = new float[n];
      int o = 0;
      for (ConstTensor p : parts) {
        if (!p.isFloat()) {
          return null;
        }
        System.arraycopy(p.floats(), 0, v, o, p.floats().length);
        o += p.floats().length;
      }
      return ConstTensor.ofFloats(new long[] {n}, v, null, false);
    }
    long[] v = new long[n];
    int o = 0;
    for (ConstTensor p : parts) {
      long[] pv = p.longs();
      System.arraycopy(pv, 0, v, o, pv.length);
      o += pv.length;
    }
    return ConstTensor.ofInts(new long[] {n}, v);
  }

  /** ONNX Slice of a vector (starts/ends/axes/steps as inputs from opset 10, attributes before). */
  private static long[] slice1d(ImportGraph g, NodeProto n, long[] x, List<ImportValue> ins) {
    long start;
    long end;
    long step = 1;
    if (g.opset >= 10) {
      long[] starts = constInts(ins, 1);
      long[] ends = constInts(ins, 2);
      long[] axes = constInts(ins, 3);
      long[] steps = constInts(ins, 4);
      if (starts == null || ends == null || starts.length != 1 || (axes != null && axes[0] != 0 && axes[0] != -1)) {
        return null;
      }
      start = starts[0];
      end = ends[0];
      step = steps == null ? 1 : steps[0];
    } else {
      long[] starts = ImportGraph.intsAttr(n, "starts");
      long[] ends = ImportGraph.intsAttr(n, "ends");
      if (starts == null || ends == null) {
        return null;
      }
      start = starts[0];
      end = ends[0];
    }
    if (step != 1) {
      return null;
    }
    int len = x.length;
    long s = clampIndex(start, len);
    long e = end > len ? len : clampIndex(end, len);
    return java.util.Arrays.copyOfRange(x, (int) s, (int) Math.max(s, e));
  }

  /** Shape arithmetic: a ShapeVector and int constants in, a ShapeVector out; null otherwise. */
  private static ImportValue shapeArithmetic(ImportGraph g, NodeProto n, List<ImportValue> ins, List<String> nodes) {
    ImportValue.ShapeVector x = ins.get(0) instanceof ImportValue.ShapeVector s ? s : null;
    switch (n.getOpType()) {
      case "Identity":
      case "Cast":
        return x == null ? null : new ImportValue.ShapeVector(x.dims(), x.scalar(), nodes);
      case "Gather": {
        if (x == null || x.scalar() || ImportGraph.intAttr(n, "axis", 0) != 0 || !(ins.get(1) instanceof ImportValue.Constant c)) {
          return null;
        }
        long[] ix = c.tensor().longs();
        long[] out = new long[ix.length];
        for (int i = 0; i < ix.length; i++) {
          out[i] = x.dims()[(int) wrap(ix[i], x.dims().length)];
        }
        return new ImportValue.ShapeVector(out, c.tensor().rank() == 0, nodes);
      }
      case "Unsqueeze": {
        long[] axes = g.opset >= 13 ? constInts(ins, 1) : ImportGraph.intsAttr(n, "axes");
        if (x == null || !x.scalar() || axes == null || axes.length != 1) {
          return null;
        }
        return new ImportValue.ShapeVector(x.dims(), false, nodes);
      }
      case "Squeeze":
        if (x == null || x.dims().length != 1) {
          return null;
        }
        return new ImportValue.ShapeVector(x.dims(), true, nodes);
      case "Reshape": {
        long[] target = constInts(ins, 1);
        if (x == null || target == null || target.length > 1) {
          return null;
        }
        return new ImportValue.ShapeVector(x.dims(), target.length == 0, nodes);
      }
      case "Slice": {
        if (x == null || x.scalar()) {
          return null;
        }
        long[] out = slice1d(g, n, x.dims(), ins);
        return out == null ? null : new ImportValue.ShapeVector(out, false, nodes);
      }
      case "Concat": {
        List<Long> out = new ArrayList<>();
        for (ImportValue v : ins) {
          if (v instanceof ImportValue.ShapeVector s && !s.scalar()) {
            for (long d : s.dims()) {
              out.add(d);
            }
          } else if (v instanceof ImportValue.Constant c && !c.tensor().isFloat() && c.tensor().rank() == 1) {
            for (long d : c.tensor().ints()) {
              out.add(d);
            }
          } else {
            return null;
          }
        }
        return new ImportValue.ShapeVector(out.stream().mapToLong(Long::longValue).toArray(), false, nodes);
      }
      default:
        return null;
    }
  }
}
