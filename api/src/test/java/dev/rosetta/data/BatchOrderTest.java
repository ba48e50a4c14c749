package dev.rosetta.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rosetta.spec.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchOrderTest {
  @Test
  void shuffleIsASeededPermutationPerEpoch() {
    int[] a = BatchOrder.forEpoch(1000, 42, 1, true);
    assertArrayEquals(a, BatchOrder.forEpoch(1000, 42, 1, true));
    assertFalse(Arrays.equals(a, BatchOrder.forEpoch(1000, 42, 2, true)));
    assertFalse(Arrays.equals(a, BatchOrder.forEpoch(1000, 43, 1, true)));
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 1000; i++) {
      assertEquals(i, sorted[i]);
    }
  }

  @Test
  void noShuffleIsFileOrder() {
    assertArrayEquals(new int[] {0, 1, 2, 3}, BatchOrder.forEpoch(4, 42, 3, false));
  }

  @Test
  void lastBatchIsPartial() {
    assertEquals(938, BatchOrder.batchCount(60000, 64));
    Dataset d = Dataset.classification(Shape.of(2), new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, new int[] {0, 1, 2, 3, 4}, "t");
    Batch b = d.batch(new int[] {4, 0, 2, 1, 3}, 3, 5);
    assertEquals(2, b.size());
    assertArrayEquals(new float[] {2, 3, 6, 7}, b.features());
    assertArrayEquals(new int[] {1, 3}, b.labels());
    assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 1}, b.targets(4));
  }
}
