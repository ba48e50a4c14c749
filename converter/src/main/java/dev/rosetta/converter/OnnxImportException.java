package dev.rosetta.converter;

import dev.rosetta.InputException;

/**
 * An ONNX file that cannot become a Rosetta spec: an operator with no layer, control flow,
 * weights that are not in the file, a missing external-data file. The message names the file
 * and the node (its name, op type and opset) or the tensor, says why, and where there is one,
 * the nearest supported alternative. The command line exits with code 2 and writes nothing.
 */
public final class OnnxImportException extends InputException {
  private static final long serialVersionUID = 1L;

  private final String node;

  OnnxImportException(String message, String node) {
    super(message);
    this.node = node;
  }

  /** The name of the node the import stopped at, or null when the problem is not one node. */
  public String node() {
    return node;
  }
}
