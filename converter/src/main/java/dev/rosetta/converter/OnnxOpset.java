package dev.rosetta.converter;

/**
 * The ONNX operator-set versions the converter can target, and the IR version each one needs.
 *
 * <p>13 is the floor because every operator the lowering emits has its current semantics from
 * 13 on (Softmax over one axis, not over the flattened tail as in opset 11). The one operator
 * newer than 13, LayerNormalization (17), is spelled out from ReduceMean and arithmetic below
 * 17, so every layer kind exports at every supported opset. 22 is the ceiling
 * because it is the newest opset the bundled ONNX Runtime (1.21) loads; {@code
 * OnnxOpsetTest} proves both ends against the real runtime.
 */
public final class OnnxOpset {
  public static final int MIN = 13;
  public static final int MAX = 22;
  /** Opset 17 with IR 8: loads in ONNX Runtime 1.21 and passes the checker of onnx 1.12. */
  public static final int DEFAULT = 17;

  private OnnxOpset() {}

  /**
   * The IR version released together with {@code opset}: an older reader (onnx's checker, an
   * older runtime) rejects a file whose IR version is newer than it knows, so the converter
   * stamps the lowest IR version that can carry the opset.
   *
   * @throws IllegalArgumentException outside {@link #MIN}..{@link #MAX}
   */
  public static long irVersion(int opset) {
    requireSupported(opset);
    if (opset <= 14) {
      return 7;
    }
    if (opset <= 18) {
      return 8;
    }
    if (opset <= 20) {
      return 9;
    }
    return 10;
  }

  public static int requireSupported(int opset) {
    if (opset < MIN || opset > MAX) {
      throw new IllegalArgumentException(
          "opset " + opset + " is not supported: choose " + MIN + ".." + MAX
              + " (default " + DEFAULT + "; " + MAX + " is the newest the bundled ONNX Runtime loads)");
    }
    return opset;
  }
}
