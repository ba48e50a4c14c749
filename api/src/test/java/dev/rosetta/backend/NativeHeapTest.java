package dev.rosetta.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import org.junit.jupiter.api.Test;

class NativeHeapTest {
  private static final long MB = 1 << 20;

  @Test
  void readsTheCHeapOnLinux() {
    assumeTrue(Platform.isLinux() && !Platform.isAndroid(), "glibc only");
    assertTrue(NativeHeap.stats().isPresent(), "mallinfo2 (glibc 2.33+) should be found on this Linux");
  }

  /** A 48 MB malloc shows in the memory in use, and its free takes it out again. */
  @Test
  void inUseFollowsMallocAndFree() {
    assumeTrue(NativeHeap.stats().isPresent(), "glibc only");
    long before = NativeHeap.stats().orElseThrow().inUse();
    Memory block = new Memory(48 * MB);
    long during = NativeHeap.stats().orElseThrow().inUse();
    block.close();
    long after = NativeHeap.stats().orElseThrow().inUse();
    // Other threads allocate too, so the figures are compared within a few megabytes.
    assertEquals(48.0, (during - before) / (double) MB, 4.0, "in use while the block is held");
    assertEquals(0.0, (after - before) / (double) MB, 4.0, "in use after the block is freed");
  }

  /** Freed small blocks stay in the heap as free memory until released. */
  @Test
  void releaseHandsFreedMemoryBack() {
    assumeTrue(NativeHeap.stats().isPresent(), "glibc only");
    Memory[] blocks = new Memory[2000];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = new Memory(16 * 1024); // below the mmap threshold: from the heap
    }
    // Keep every other block, so the freed ones cannot be returned by shrinking the heap's top.
    for (int i = 0; i < blocks.length; i += 2) {
      blocks[i].close();
    }
    long free = NativeHeap.stats().orElseThrow().heldFree();
    assertTrue(free >= 15 * MB, "16 MB freed inside the heap should be held free, was " + free / MB + " MB");
    NativeHeap.release(); // must not fail; what it returns depends on what the heap holds
    for (int i = 1; i < blocks.length; i += 2) {
      blocks[i].close();
    }
  }

  /**
   * Once freed memory is held, a 16 MB block comes from the heap (not a mapping of its own) and
   * its free leaves the pages with the heap: with glibc's defaults it is mapped alone and unmapped
   * on free, or the heap's top is trimmed, and the freed memory held would not grow.
   */
  @Test
  void heldFreedMemoryKeepsAFreedBlock() {
    assumeTrue(NativeHeap.stats().isPresent(), "glibc only");
    assumeTrue(System.getenv("MALLOC_TRIM_THRESHOLD_") == null && System.getenv("MALLOC_MMAP_THRESHOLD_") == null, "user's own malloc settings");
    assertTrue(NativeHeap.holdFreedMemory(), "glibc should take both settings");
    Memory block = new Memory(16 * MB);
    block.setByte(16 * MB - 1, (byte) 1);
    // Measured from while the block is held: it may have come out of memory earlier tests freed.
    long before = NativeHeap.stats().orElseThrow().heldFree();
    block.close();
    long after = NativeHeap.stats().orElseThrow().heldFree();
    assertTrue(after - before >= 15 * MB, "the freed 16 MB block should stay held, held free grew " + (after - before) / MB + " MB");
    NativeHeap.release();
  }

  /**
   * A thread's arena that outgrows its first 64 MB heap keeps the extra heap when its blocks are
   * freed: with glibc's default top pad the extra heap is unmapped at once, and the freed memory
   * held grows by the first heap's share only.
   */
  @Test
  void aThreadArenasExtraHeapIsKept() throws InterruptedException {
    assumeTrue(NativeHeap.stats().isPresent(), "glibc only");
    assumeTrue(System.getenv("MALLOC_TOP_PAD_") == null && System.getenv("MALLOC_TRIM_THRESHOLD_") == null
        && System.getenv("MALLOC_MMAP_THRESHOLD_") == null, "user's own malloc settings");
    assertTrue(NativeHeap.holdFreedMemory());
    long[] grown = new long[1];
    Thread t = new Thread(() -> { // a new thread gets an arena of its own
      Memory[] blocks = new Memory[7];
      for (int i = 0; i < blocks.length; i++) {
        blocks[i] = new Memory(16 * MB); // 112 MB: more than one 64 MB heap
        blocks[i].setByte(16 * MB - 1, (byte) 1);
      }
      long before = NativeHeap.stats().orElseThrow().heldFree(); // while every block is held
      for (int i = blocks.length - 1; i >= 0; i--) {
        blocks[i].close();
      }
      grown[0] = NativeHeap.stats().orElseThrow().heldFree() - before;
    });
    t.start();
    t.join();
    assertTrue(grown[0] >= 100 * MB, "the freed 112 MB should stay held, held free grew " + grown[0] / MB + " MB");
    NativeHeap.release();
  }
}
