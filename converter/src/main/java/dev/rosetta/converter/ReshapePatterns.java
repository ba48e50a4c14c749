package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Nodes that move values without computing: {@code Reshape} and {@code Flatten} (targets that
 * bake in the export's batch size normalised to a per-sample shape), {@code Squeeze} and {@code
 * Unsqueeze}, a {@code Transpose} that only a flatten reads (Keras's NHWC flatten: the flatten
 * becomes Rosetta's NCHW flatten and the next dense layer's weight is reordered), and the
 * inference identities {@code Identity}, {@code Dropout} and a float {@code Cast}, which become
 * no layer.
 */
final class ReshapePatterns {
  private ReshapePatterns() {}

  static boolean reshape(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    ImportValue t = g.value(ImportGraph.input(n, 1));
    long[] target;
    if (t instanceof ImportValue.ShapeVector sv && !sv.scalar()) {
      target = sv.dims();
    } else if (t instanceof ImportValue.Constant c && !c.tensor().isFloat() && c.tensor().rank() == 1) {
      target = c.tensor().ints();
    } else {
      throw g.refuse(n, "its target shape is neither stored in the file nor computed from the input's shape", null);
    }
    boolean allowZero = ImportGraph.intAttr(n, "allowzero", 0) != 0;
    Shape src = a.onnxShape();
    long[] rest = perSample(g, n, target, allowZero, src);
    return reshapeTo(g, List.of(n), a, rest);
  }

  /**
   * The per-sample part of a Reshape target, batch entry checked: the symbolic batch from a
   * {@code Shape} of the input, 0 (copy), -1 when the rest fixes the sample, or the batch size
   * the export baked in (torch.onnx without dynamic axes).
   */
  private static long[] perSample(ImportGraph g, NodeProto n, long[] target, boolean allowZero, Shape src) {
    if (target.length == 0) {
      throw g.refuse(n, "it reshapes to a scalar, dropping the batch axis", null);
    }
    long size = src.size();
    long b = target[0];
    long[] rest = java.util.Arrays.copyOfRange(target, 1, target.length);
    for (int k = 0; k < rest.length; k++) {
      if (rest[k] == ImportValue.ShapeVector.BATCH) {
        throw g.refuse(n, "its target puts the batch size at axis " + (k + 1) + "; only axis 0 may be the batch", null);
      }
      if (rest[k] == 0 && !allowZero) {
        if (k >= src.rank()) {
          throw g.refuse(n, "its target copies axis " + (k + 1) + " (0), which the input " + src + " does not have", null);
        }
        rest[k] = src.dim(k);
      }
    }
    long known = 1;
    int infer = -1;
    for (int k = 0; k < rest.length; k++) {
      if (rest[k] == -1) {
        if (infer >= 0) {
          throw g.refuse(n, "its target has two -1 entries", null);
        }
        infer = k;
      } else {
        known *= rest[k];
      }
    }
    boolean batch = b == ImportValue.ShapeVector.BATCH || (b == 0 && !allowZero)
        || (b == -1 && infer < 0 && known == size)
        || (g.exportBatch > 0 && b == g.exportBatch && (infer >= 0 || known == size));
    if (!batch) {
      throw g.refuse(n, "its target " + show(target) + " does not keep the batch axis first (per-sample input " + src
          + "); a reshape across samples is no layer", null);
    }
    if (b == g.exportBatch && g.exportBatch > 0) {
      g.builder.note("Reshape targets that bake in the export's batch size " + g.exportBatch
          + " are read as per-sample shapes; the spec takes any batch size");
    }
    if (infer >= 0) {
      if (known == 0 || size % known != 0) {
        throw g.refuse(n, "its target " + show(target) + " does not divide the " + size + " values of a sample", null);
      }
      rest[infer] = size / known;
    }
    long total = 1;
    for (long d : rest) {
      total *= d;
    }
    if (total != size) {
      throw g.refuse(n, "its target " + show(target) + " holds " + total + " values per sample, the input " + src + " has " + size, null);
    }
    return rest;
  }

  private static String show(long[] target) {
    StringBuilder s = new StringBuilder("[");
    for (int k = 0; k < target.length; k++) {
      s.append(k > 0 ? ", " : "").append(target[k] == ImportValue.ShapeVector.BATCH ? "batch" : Long.toString(target[k]));
    }
    return s.append(']').toString();
  }

  /** A flatten for a vector target, else a reshape; a pending Transpose makes it the NHWC flatten. */
  private static boolean reshapeTo(ImportGraph g, List<NodeProto> nodes, ImportValue.Activation a, long[] rest) {
    NodeProto last = nodes.get(nodes.size() - 1);
    ImportValue.Activation y;
    if (a.pendingPerm() != null && rest.length == 1) {
      y = nhwcFlatten(g, nodes, a);
    } else if (rest.length == 1) {
      y = g.builder.emit(nodes, null, "flatten", Layer.Flatten::new, List.of(a), Map.of());
    } else {
      int[] dims = new int[rest.length];
      for (int k = 0; k < dims.length; k++) {
        dims[k] = Math.toIntExact(rest[k]);
      }
      y = g.builder.emit(nodes, null, "reshape", name -> new Layer.Reshape(name, dims), List.of(a), Map.of());
    }
    return g.take(nodes, y);
  }

  /**
   * A flatten of a transposed image (Keras flattens NHWC): Rosetta's flatten is NCHW, so the
   * features come out in another order; the order is recorded on the value and the dense layer
   * that reads it takes its weight's columns in that order, which computes the same function.
   */
  private static ImportValue.Activation nhwcFlatten(ImportGraph g, List<NodeProto> nodes, ImportValue.Activation a) {
    int[] dims = a.shape().dims();
    int[] src = Transpose.indices(dims, a.pendingPerm());
    int[] order = new int[src.length];
    for (int j = 0; j < src.length; j++) {
      order[src[j]] = j;
    }
    List<NodeProto> all = new ArrayList<>();
    NodeProto transpose = g.nodeNamed(a.pendingNode());
    if (transpose != null) {
      all.add(transpose);
    }
    all.addAll(nodes);
    ImportValue.Activation plain = new ImportValue.Activation(a.layer(), a.shape());
    ImportValue.Activation y = g.builder.emit(all, null, "flatten", Layer.Flatten::new, List.of(plain), Map.of());
    g.builder.note("the flatten after Transpose '" + a.pendingNode() + "' flattens in NHWC order in the file;"
        + " the spec flattens NCHW and the next dense layer's weight is reordered to match");
    return new ImportValue.Activation(y.layer(), y.shape(), null, null, order);
  }

  static boolean flatten(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    int rank = a.onnxShape().rank() + 1;
    long axis = ImportGraph.intAttr(n, "axis", 1);
    long resolved = axis < 0 ? axis + rank : axis;
    if (resolved != 1) {
      throw g.refuse(n, "Flatten with axis " + axis + " merges the batch axis with sample axes (or splits the sample); only axis 1 flattens each sample", "Flatten(axis=1)");
    }
    return reshapeTo(g, List.of(n), a, new long[] {a.onnxShape().size()});
  }

  static boolean squeeze(ImportGraph g, NodeProto n) {
    return squeezeOrUnsqueeze(g, n, true);
  }

  static boolean unsqueeze(ImportGraph g, NodeProto n) {
    return squeezeOrUnsqueeze(g, n, false);
  }

  private static boolean squeezeOrUnsqueeze(ImportGraph g, NodeProto n, boolean squeeze) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    long[] axes;
    if (g.opset >= 13) {
      String ax = ImportGraph.input(n, 1);
      ConstTensor c = ax.isEmpty() ? null : g.constant(ax);
      if (!ax.isEmpty() && c == null) {
        throw g.refuse(n, "its axes are not stored in the file", null);
      }
      axes = c == null ? null : c.longs();
    } else {
      axes = ImportGraph.intsAttr(n, "axes");
    }
    int[] sample = a.onnxShape().dims();
    long[] full = new long[sample.length + 1];
    full[0] = Long.MAX_VALUE;
    for (int k = 0; k < sample.length; k++) {
      full[k + 1] = sample[k];
    }
    long[] out = squeeze ? ConstantFolding.squeeze(full, axes) : ConstantFolding.unsqueeze(full, axes);
    if (out == null || out.length == 0 || out[0] != Long.MAX_VALUE) {
      throw g.refuse(n, "it " + (squeeze ? "removes" : "inserts") + " the batch axis (axes " + java.util.Arrays.toString(axes) + ")", null);
    }
    return reshapeTo(g, List.of(n), a, java.util.Arrays.copyOfRange(out, 1, out.length));
  }

  /**
   * A Transpose of an activation is held back on the value until its reader decides: a flatten
   * makes it Keras's NHWC flatten; anything else is refused there. The batch axis must stay.
   */
  static boolean transpose(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    int rank = a.onnxShape().rank() + 1;
    long[] perm = ImportGraph.intsAttr(n, "perm");
    if (perm == null || perm.length != rank || perm[0] != 0) {
      throw g.refuse(n, "perm " + java.util.Arrays.toString(perm) + " moves the batch axis; a layer works on each sample", null);
    }
    int[] q = new int[rank - 1];
    for (int k = 0; k < q.length; k++) {
      int sampleAxis = (int) perm[k + 1] - 1;
      q[k] = a.pendingPerm() == null ? sampleAxis : a.pendingPerm()[sampleAxis];
    }
    g.consume(n);
    if (Transpose.isIdentity(q)) {
      g.set(n.getOutput(0), new ImportValue.Activation(a.layer(), a.shape(), null, null, a.featureOrder()));
      g.builder.step(List.of(n), "no layer: the transposes cancel out");
    } else {
      g.set(n.getOutput(0), new ImportValue.Activation(a.layer(), a.shape(), q, g.name(n), a.featureOrder()));
    }
    return true;
  }

  static boolean identity(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    g.builder.step(List.of(n), "no layer: Identity");
    return g.take(List.of(n), a);
  }

  /**
   * Dropout is the identity at inference, and exporters write eval-mode models, so it becomes no
   * layer: the declared choice, since the rate in the file (when there is one) says nothing about
   * how the model should be fine-tuned.
   */
  static boolean dropout(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    if (g.readsOutput(n, 1)) {
      throw g.refuse(n, "its mask output is used; only inference-mode dropout (the identity) is imported", null);
    }
    ConstTensor mode = g.constant(ImportGraph.input(n, 2));
    if (mode != null && mode.scalar() != 0) {
      throw g.refuse(n, "training_mode is true: the file computes a random mask at run time", null);
    }
    ConstTensor ratioInput = g.constant(ImportGraph.input(n, 1));
    double ratio = ratioInput != null ? ratioInput.scalar() : ImportGraph.floatAttr(n, "ratio", 0.5f);
    g.take(List.of(n), a);
    g.builder.step(List.of(n), String.format(java.util.Locale.ROOT,
        "no layer: Dropout (ratio %s) is the identity at inference; add a dropout layer to train with it", ConvPatterns.decimal((float) ratio)));
    g.builder.note("Dropout nodes become no layer (the identity they are at inference); add dropout layers to the spec to fine-tune with dropout");
    return true;
  }

  static boolean cast(ImportGraph g, NodeProto n) {
    ImportValue.Activation a = g.activation(ImportGraph.input(n, 0));
    if (a == null) {
      return false;
    }
    long to = ImportGraph.intAttr(n, "to", 0);
    if (to != TensorProto.DataType.FLOAT.getNumber()) {
      throw g.refuse(n, "it casts an activation to " + ImportGraph.elementType((int) to) + "; Rosetta computes in float32", null);
    }
    g.builder.step(List.of(n), "no layer: a Cast to float32");
    return g.take(List.of(n), a);
  }
}
