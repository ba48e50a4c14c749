package dev.rosetta.converter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@link OnnxInspector} reads from an ONNX file.
 *
 * @param file the path as given
 * @param irVersion the file's IR version
 * @param opset version of the default ({@code ai.onnx}) domain, 0 when not imported
 * @param opsets every imported domain ({@code ai.onnx} for the default one) and its version
 * @param operators op type to node count, sorted by op type
 * @param parameterCount elements over all initialisers
 * @param statisticCount the part of {@code parameterCount} that is running statistics, not
 *     trained parameters: initialisers a BatchNormalization reads as its input_mean or input_var
 * @param metadata {@code metadata_props}, sorted by key
 */
public record OnnxSummary(
    String file,
    long irVersion,
    long opset,
    Map<String, Long> opsets,
    String producerName,
    String producerVersion,
    String graphName,
    List<Value> inputs,
    List<Value> outputs,
    Map<String, Integer> operators,
    int nodeCount,
    int initializerCount,
    long parameterCount,
    long statisticCount,
    Map<String, String> metadata) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public OnnxSummary {
    opsets = Collections.unmodifiableMap(new TreeMap<>(opsets));
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    operators = Collections.unmodifiableMap(new TreeMap<>(operators));
    metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /**
   * A graph input or output.
   *
   * @param elementType ONNX element type in lower case ({@code float}), or the value's kind
   * @param dims each axis: its size, its symbolic name ({@code batch}), or {@code ?} when unknown
   */
  public record Value(String name, String elementType, List<String> dims) {
    public Value {
      dims = List.copyOf(dims);
    }

    /** {@code input: float[batch, 784]}. */
    @Override
    public String toString() {
      return name + ": " + elementType + "[" + String.join(", ", dims) + "]";
    }
  }

  /** Several lines for a person. */
  public String toText() {
    StringBuilder s = new StringBuilder();
    s.append("file:       ").append(file).append('\n');
    s.append("format:     ONNX IR ").append(irVersion).append(", opset ").append(opset);
    if (opsets.size() > 1) {
      s.append(" (").append(opsets.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))).append(')');
    }
    s.append('\n');
    s.append("producer:   ").append(producerName);
    if (!producerVersion.isEmpty()) {
      s.append(' ').append(producerVersion);
    }
    s.append('\n');
    s.append("graph:      ").append(graphName).append('\n');
    for (Value v : inputs) {
      s.append("input:      ").append(v).append('\n');
    }
    for (Value v : outputs) {
      s.append("output:     ").append(v).append('\n');
    }
    s.append("parameters: ").append(String.format(Locale.ROOT, "%,d", parameterCount))
        .append(" in ").append(initializerCount).append(initializerCount == 1 ? " initializer" : " initializers");
    if (statisticCount > 0) {
      s.append(String.format(Locale.ROOT, " (%,d of them batch-norm running statistics)", statisticCount));
    }
    s.append('\n');
    s.append("operators:  ").append(nodeCount).append(nodeCount == 1 ? " node" : " nodes");
    if (!operators.isEmpty()) {
      s.append(": ").append(operators.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", ")));
    }
    s.append('\n');
    if (!metadata.isEmpty()) {
      s.append("metadata:\n");
      int width = metadata.keySet().stream().mapToInt(String::length).max().orElse(0);
      metadata.forEach((k, v) -> s.append("  ").append(k).append(" ".repeat(width - k.length())).append("  ").append(shown(k, v)).append('\n'));
    }
    return s.toString();
  }

  /** The stored spec is a page of JSON: the text form says what it is, --json has it whole. */
  private static String shown(String key, String value) {
    if (key.equals(OnnxImport.SPEC_METADATA)) {
      return String.format(Locale.ROOT, "(the spec's canonical JSON, %,d bytes; rosetta import restores it)", value.length());
    }
    return value;
  }

  /** One line of JSON, keys in a fixed order. */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("file", file);
    o.put("ir_version", irVersion);
    o.put("opset", opset);
    ObjectNode os = o.putObject("opsets");
    opsets.forEach(os::put);
    o.put("producer_name", producerName);
    o.put("producer_version", producerVersion);
    o.put("graph_name", graphName);
    values(o.putArray("inputs"), inputs);
    values(o.putArray("outputs"), outputs);
    ObjectNode ops = o.putObject("operators");
    operators.forEach(ops::put);
    o.put("node_count", nodeCount);
    o.put("initializer_count", initializerCount);
    o.put("parameter_count", parameterCount);
    o.put("statistic_count", statisticCount);
    ObjectNode md = o.putObject("metadata");
    metadata.forEach(md::put);
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void values(ArrayNode array, List<Value> values) {
    for (Value v : values) {
      ObjectNode n = array.addObject();
      n.put("name", v.name());
      n.put("type", v.elementType());
      ArrayNode shape = n.putArray("shape");
      for (String d : v.dims()) {
        if (d.chars().allMatch(Character::isDigit) && !d.isEmpty()) {
          shape.add(Long.parseLong(d));
        } else {
          shape.add(d);
        }
      }
    }
  }
}
