package dev.rosetta.engine.tensorflow;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * Where a training step's time goes, by TensorFlow's own step statistics. With {@code
 * -Drosetta.tensorflow.profile=true} every fifth train step from the 50th runs with a full
 * trace; closing the model prints the time per op type and the 40 busiest nodes to stderr.
 * Times are each node's own, summed: with two intra-op threads they may add up to more than
 * the step's wall time. Tracing slows the traced steps, so a profiled run's samples/s are not
 * a measurement. TensorFlow logs a warning per traced step that no GPU trace was collected.
 */
final class TfOpProfile {
  static final String PROPERTY = "rosetta.tensorflow.profile";
  static final RunOptions FULL_TRACE =
      RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
  private static final int ROWS = 40;

  /** Microseconds and count per key. */
  private final Map<String, long[]> byType = new HashMap<>();
  private final Map<String, long[]> byNode = new HashMap<>();
  private int steps;
  private long total;

  /** A profile if the system property asks for one, else null. */
  static TfOpProfile ifRequested() {
    return Boolean.getBoolean(PROPERTY) ? new TfOpProfile() : null;
  }

  /** Whether this train step is one of the traced ones. */
  boolean traces(long step) {
    return step >= 50 && step % 5 == 0;
  }

  void add(RunMetadata metadata) {
    steps++;
    nodes(metadata).forEach(node -> {
      long micros = node.getAllEndRelMicros();
      String type = opType(node);
      total += micros;
      byType.computeIfAbsent(type, k -> new long[1])[0] += micros;
      byNode.computeIfAbsent(node.getNodeName() + " [" + type + "]", k -> new long[1])[0] += micros;
    });
  }

  /** Every node a traced run executed, on every device. */
  static Stream<NodeExecStats> nodes(RunMetadata metadata) {
    return metadata.getStepStats().getDevStatsList().stream().flatMap(d -> d.getNodeStatsList().stream());
  }

  /** The kernel's op type, from a timeline label of the form {@code name = Type(inputs)}. */
  static String opType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf(" = ");
    int paren = eq < 0 ? -1 : label.indexOf('(', eq);
    return paren < 0 ? node.getNodeName() : label.substring(eq + 3, paren);
  }

  String report() {
    if (steps == 0) {
      return "tensorflow op profile: no step was traced (the first traced step is the 50th)\n";
    }
    StringBuilder out = new StringBuilder(String.format(
        "tensorflow op profile: %d traced steps, %.1f ms of node time a step%n", steps, total / 1000.0 / steps));
    out.append(String.format("%-40s %7s %12s%n", "op type", "share", "us / step"));
    rows(out, byType);
    out.append(String.format("%-72s %7s %12s%n", "node [op type]", "share", "us / step"));
    rows(out, byNode);
    return out.toString();
  }

  private void rows(StringBuilder out, Map<String, long[]> times) {
    String format = times == byType ? "%-40s %6.1f%% %12.1f%n" : "%-72s %6.1f%% %12.1f%n";
    times.entrySet().stream()
        .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0]).reversed())
        .limit(ROWS)
        .forEach(e -> out.append(String.format(
            format, e.getKey(), 100.0 * e.getValue()[0] / total, e.getValue()[0] / (double) steps)));
  }
}
