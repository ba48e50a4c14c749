package dev.rosetta.converter;

import dev.rosetta.spec.Shape;
import java.util.List;

/**
 * What the importer knows about one ONNX tensor while it walks the graph: a value computed from
 * the model input (an activation, the output of a Rosetta layer), a value that is in the file
 * (a constant), or a shape computed from an activation's shape (a torch.onnx or tf2onnx reshape
 * target, whose one unknown is the batch size).
 */
sealed interface ImportValue {

  /**
   * The output of layer {@code layer} (or the model input, {@code ModelSpec.INPUT}).
   *
   * @param shape one sample, in the layout the layer produces (NCHW for images)
   * @param pendingPerm a Transpose applied to the value but not turned into a layer yet (sample
   *     axes; null when there is none): only a flatten may consume it, as Keras's NHWC flatten
   * @param pendingNode the Transpose node of {@code pendingPerm}, for messages
   * @param featureOrder after an NHWC flatten: feature {@code i} of this (NCHW-ordered) vector is
   *     feature {@code featureOrder[i]} of the vector the original graph computes; the next dense
   *     layer permutes its weight by it. Null when the order is the original's.
   */
  record Activation(String layer, Shape shape, int[] pendingPerm, String pendingNode, int[] featureOrder)
      implements ImportValue {
    Activation(String layer, Shape shape) {
      this(layer, shape, null, null, null);
    }

    /** The same value under another layer's name (a dropped Identity, Dropout or Cast). */
    Activation renamed(String newLayer) {
      return new Activation(newLayer, shape, pendingPerm, pendingNode, featureOrder);
    }

    /** The shape a consumer of the ONNX tensor sees: {@link #shape} with the pending Transpose. */
    Shape onnxShape() {
      if (pendingPerm == null) {
        return shape;
      }
      int[] d = new int[pendingPerm.length];
      for (int k = 0; k < d.length; k++) {
        d[k] = shape.dim(pendingPerm[k]);
      }
      return Shape.of(d);
    }
  }

  /**
   * A tensor in the file.
   *
   * @param nodes the Constant or folding nodes that made it, for the import table
   */
  record Constant(ConstTensor tensor, List<String> nodes) implements ImportValue {}

  /**
   * An integer vector (or scalar) computed from the shape of an activation: each entry a known
   * size or {@link #BATCH}.
   */
  record ShapeVector(long[] dims, boolean scalar, List<String> nodes) implements ImportValue {
    /** The batch size, unknown until run time. */
    static final long BATCH = Long.MIN_VALUE;
  }
}
