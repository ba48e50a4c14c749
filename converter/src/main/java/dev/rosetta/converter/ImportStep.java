package dev.rosetta.converter;

import java.util.List;

/**
 * One row of the import table: which ONNX nodes became what.
 *
 * @param nodes each as {@code 'name' (OpType)}, in graph order
 * @param layer the Rosetta layer they became, or null when they became no layer (dropped, folded
 *     into another layer's weights, the input layout, a shape computation)
 * @param what the layer's type and settings, or why the nodes became no layer
 */
public record ImportStep(List<String> nodes, String layer, String what) {
  public ImportStep {
    nodes = List.copyOf(nodes);
  }
}
