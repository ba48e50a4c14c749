package dev.rosetta.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rosetta.backend.Backends;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StepMemoryTest {
  @BeforeAll
  static void loadLibtorch() {
    Backends.get("pytorch");
  }

  @Test
  void arraysHoldTheirValuesAcrossAGrowthInTheSameStep() {
    StepMemory memory = new StepMemory();
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        NDManager scope = memory.begin(root.newSubManager())) {
      NDArray small = memory.floats(new float[] {1.5f, -2f, 3f}, new Shape(3));
      NDArray ids = memory.longs(new long[] {7, Long.MAX_VALUE}, new Shape(2, 1));
      float[] big = new float[100_000]; // larger than the initial buffer: it is replaced
      for (int i = 0; i < big.length; i++) {
        big[i] = i * 0.25f;
      }
      NDArray large = memory.floats(big, new Shape(100, 1000));
      NDArray two = memory.scalar(2f);
      assertArrayEquals(new float[] {1.5f, -2f, 3f}, small.toFloatArray());
      assertArrayEquals(new long[] {7, Long.MAX_VALUE}, ids.toLongArray());
      assertArrayEquals(big, large.toFloatArray());
      assertEquals(new Shape(), two.getShape());
      assertArrayEquals(new float[] {3f, -4f, 6f}, small.mul(two).toFloatArray());
      assertEquals(scope, large.getManager());
    }
  }

  /**
   * The point of it: after the first step, a step's arrays allocate no direct buffers (DJL's
   * {@code create(float[])} allocates one per call, freed only by the garbage collector).
   */
  @Test
  void laterStepsAllocateNoDirectMemory() {
    StepMemory memory = new StepMemory();
    BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
    float[] mask = new float[50_000];
    long[] labels = new long[64];
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      step(memory, root, mask, labels, direct, Long.MAX_VALUE);
      long before = direct.getCount();
      for (int s = 0; s < 200; s++) {
        // Checked while the step's arrays are open; a collection can only lower the count.
        step(memory, root, mask, labels, direct, before);
      }
    }
  }

  private static void step(
      StepMemory memory, NDManager root, float[] mask, long[] labels, BufferPoolMXBean direct, long limit) {
    try (NDManager scope = memory.begin(root.newSubManager())) {
      NDArray a = memory.floats(mask, new Shape(mask.length));
      NDArray b = memory.longs(labels, new Shape(labels.length));
      NDArray c = memory.scalar(0.5f);
      long count = direct.getCount();
      assertTrue(count <= limit, "direct buffers during a step: " + count + ", before the steps: " + limit);
      assertEquals(0f, a.sum().getFloat());
      assertEquals(0L, b.sum().getLong());
      assertEquals(0.5f, c.getFloat());
    }
  }
}
