package dev.rosetta.cli.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.SpecJson;

/**
 * A spec with its hidden layers made wider: every dense layer but the last multiplies its
 * units, and every conv2d layer its filters, by one factor; shapes and parameters follow from
 * validation as for any spec. The last dense layer keeps the output width the loss and data
 * need.
 */
public final class Widened {
  private Widened() {}

  public static CheckedSpec of(CheckedSpec spec, int factor) {
    if (factor < 1) {
      throw new IllegalArgumentException("width factor must be >= 1 (got " + factor + ")");
    }
    if (factor == 1) {
      return spec;
    }
    ObjectNode tree = SpecJson.toTree(spec.spec());
    ArrayNode layers = (ArrayNode) tree.get("layers");
    int lastDense = -1;
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).get("type").asText().equals(Layer.Dense.KIND.name())) {
        lastDense = i;
      }
    }
    for (int i = 0; i < layers.size(); i++) {
      ObjectNode l = (ObjectNode) layers.get(i);
      String type = l.get("type").asText();
      // The two kinds whose width is a field; every other kind's follows from its input.
      String field = type.equals(Layer.Dense.KIND.name()) && i != lastDense ? "units"
          : type.equals(Layer.Conv2d.KIND.name()) ? "filters" : null;
      if (field != null) {
        l.put(field, l.get(field).asInt() * factor);
      }
    }
    tree.put("name", spec.name() + "-x" + factor);
    return SpecJson.parse(tree.toString(), spec.name() + " widened " + factor + "x");
  }
}
