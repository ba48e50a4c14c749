package dev.rosetta.converter;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which patterns may start at a node of each op type, tried in order; and, for a refusal, the
 * nearest supported alternative to an op that has no pattern. The op types here (with those
 * {@link ConstantFolding} evaluates) are everything the importer reads.
 */
final class NodePatterns {
  static final Map<String, List<NodePattern>> BY_OP = Map.ofEntries(
      Map.entry("Gemm", List.of(DensePatterns::gemm)),
      Map.entry("MatMul", List.of(DensePatterns::matMul)),
      Map.entry("Conv", List.of(ConvPatterns::conv)),
      Map.entry("MaxPool", List.of(ConvPatterns::maxPool)),
      Map.entry("AveragePool", List.of(ConvPatterns::averagePool)),
      Map.entry("GlobalAveragePool", List.of(ConvPatterns::globalAveragePool)),
      Map.entry("BatchNormalization", List.of(ConvPatterns::batchNormalization)),
      Map.entry("LayerNormalization", List.of(NormPatterns::layerNormalization)),
      Map.entry("ReduceMean", List.of(NormPatterns::layerNormDecomposed, NormPatterns::reduceMeanPool)),
      Map.entry("Relu", List.of(ActivationPatterns::relu)),
      Map.entry("LeakyRelu", List.of(ActivationPatterns::leakyRelu)),
      Map.entry("Elu", List.of(ActivationPatterns::elu)),
      Map.entry("Sigmoid", List.of(ActivationPatterns::sigmoid)),
      Map.entry("Tanh", List.of(ActivationPatterns::tanh)),
      Map.entry("Softmax", List.of(ActivationPatterns::softmax)),
      Map.entry("Gelu", List.of(ActivationPatterns::gelu)),
      Map.entry("Div", List.of(ActivationPatterns::geluErf)),
      Map.entry("Mul", List.of(ActivationPatterns::geluErf, ActivationPatterns::geluTanh)),
      Map.entry("Reshape", List.of(ReshapePatterns::reshape)),
      Map.entry("Flatten", List.of(ReshapePatterns::flatten)),
      Map.entry("Squeeze", List.of(ReshapePatterns::squeeze)),
      Map.entry("Unsqueeze", List.of(ReshapePatterns::unsqueeze)),
      Map.entry("Transpose", List.of(ReshapePatterns::transpose)),
      Map.entry("Identity", List.of(ReshapePatterns::identity)),
      Map.entry("Dropout", List.of(ReshapePatterns::dropout)),
      Map.entry("Cast", List.of(ReshapePatterns::cast)),
      Map.entry("Add", List.of(JoinPatterns::add)),
      Map.entry("Sum", List.of(JoinPatterns::sum)),
      Map.entry("Concat", List.of(JoinPatterns::concat)));

  /** Ops read only as part of a pattern that starts elsewhere (GELU, layer norm, SiLU, biases). */
  static final Set<String> INSIDE_PATTERNS = Set.of("Erf", "Pow", "Sqrt", "Sub");

  static final Set<String> CONTROL_FLOW = Set.of("Loop", "If", "Scan");

  /** The nearest supported alternative of ops with no pattern (a refusal names it). */
  private static final Map<String, String> NEAREST = Map.ofEntries(
      Map.entry("LSTM", "none: Rosetta has no recurrent layer (dense layers over a flattened fixed-length sequence are the nearest)"),
      Map.entry("GRU", "none: Rosetta has no recurrent layer (dense layers over a flattened fixed-length sequence are the nearest)"),
      Map.entry("RNN", "none: Rosetta has no recurrent layer (dense layers over a flattened fixed-length sequence are the nearest)"),
      Map.entry("HardSigmoid", "sigmoid"),
      Map.entry("HardSwish", "silu"),
      Map.entry("Swish", "silu"),
      Map.entry("Selu", "elu"),
      Map.entry("PRelu", "leaky_relu (with a fixed slope instead of a learned one)"),
      Map.entry("Clip", "relu (ReLU6 clips at 6 as well)"),
      Map.entry("LogSoftmax", "softmax; for training, end with the logits: cross_entropy applies log-softmax itself"),
      Map.entry("InstanceNormalization", "layer_norm or batch_norm"),
      Map.entry("GroupNormalization", "layer_norm"),
      Map.entry("LRN", "batch_norm"),
      Map.entry("Pad", "the padding of conv2d, max_pool2d or avg_pool2d"),
      Map.entry("ReduceMax", "global_avg_pool2d"),
      Map.entry("GlobalMaxPool", "global_avg_pool2d"),
      Map.entry("ReduceSum", "global_avg_pool2d"),
      Map.entry("Einsum", "dense"),
      Map.entry("Gather", "embedding, which imports from a Rosetta export (through its metadata) but is not matched in other graphs"),
      Map.entry("ConvTranspose", "none: Rosetta has no transposed convolution"));

  private NodePatterns() {}

  static boolean supports(String op) {
    return BY_OP.containsKey(op) || INSIDE_PATTERNS.contains(op) || ConstantFolding.handles(op);
  }

  static String nearest(String op) {
    return NEAREST.getOrDefault(op, null);
  }

  /** Every op type the importer reads, for refusals. */
  static String supportedList() {
    Set<String> ops = new TreeSet<>(BY_OP.keySet());
    ops.addAll(INSIDE_PATTERNS);
    ops.addAll(ConstantFolding.OPS);
    return String.join(", ", ops);
  }
}
