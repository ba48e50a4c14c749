package dev.rosetta.weights;

import dev.rosetta.spec.Shape;
import java.util.Arrays;

/** A float32 tensor in row-major order. The data array is owned by the tensor; do not mutate. */
public record Tensor(Shape shape, float[] data) {
  public Tensor {
    if (shape.size() != data.length) {
      throw new IllegalArgumentException(
          "tensor of shape " + shape + " needs " + shape.size() + " values, got " + data.length);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * shape.hashCode() + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Tensor" + shape;
  }
}
