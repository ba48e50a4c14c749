package dev.rosetta.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.StepStats;

class TfOpProfileTest {

  private static NodeExecStats node(String name, String type, long micros) {
    return NodeExecStats.newBuilder().setNodeName(name).setTimelineLabel(name + " = " + type + "(a, b)")
        .setAllEndRelMicros(micros).build();
  }

  private static RunMetadata step(NodeExecStats... nodes) {
    return RunMetadata.newBuilder()
        .setStepStats(StepStats.newBuilder().addDevStats(DeviceStepStats.newBuilder().addAllNodeStats(List.of(nodes))))
        .build();
  }

  @Test
  void sumsEachOpTypeOverItsNodesAndSteps() {
    TfOpProfile p = new TfOpProfile();
    p.add(step(node("train/bn/Mul", "Mul", 300), node("train/gelu/Mul", "Mul", 100), node("train/c/Conv2d", "_MklNativeConv2D", 600)));
    p.add(step(node("train/bn/Mul", "Mul", 500), node("train/gelu/Mul", "Mul", 100), node("train/c/Conv2d", "_MklNativeConv2D", 400)));
    String report = p.report();
    assertTrue(report.startsWith("tensorflow op profile: 2 traced steps, 1.0 ms of node time a step"), report);
    // Conv2D 1000 us and Mul 1000 us of 2000: 50 % each, 500 us a step each.
    assertTrue(report.contains(String.format("%-40s %6.1f%% %12.1f%n", "_MklNativeConv2D", 50.0, 500.0)), report);
    assertTrue(report.contains(String.format("%-40s %6.1f%% %12.1f%n", "Mul", 50.0, 500.0)), report);
    assertTrue(report.contains(String.format("%-72s %6.1f%% %12.1f%n", "train/bn/Mul [Mul]", 40.0, 400.0)), report);
  }

  @Test
  void readsTheOpTypeFromTheTimelineLabel() {
    assertEquals("_MklTranspose", TfOpProfile.opType(node("train/pool/Transpose", "_MklTranspose", 1)));
    NodeExecStats unlabelled = NodeExecStats.newBuilder().setNodeName("_SOURCE").build();
    assertEquals("_SOURCE", TfOpProfile.opType(unlabelled));
  }

  @Test
  void tracesEveryFifthStepFromTheFiftieth() {
    TfOpProfile p = new TfOpProfile();
    assertFalse(p.traces(45));
    assertFalse(p.traces(51));
    assertTrue(p.traces(50));
    assertTrue(p.traces(55));
    assertTrue(new TfOpProfile().report().contains("no step was traced"));
  }
}
