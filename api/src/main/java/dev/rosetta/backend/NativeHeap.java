package dev.rosetta.backend;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Structure;
import java.util.Optional;

/**
 * The C heap (glibc's malloc) that libtorch and TensorFlow allocate tensors from: how much of it
 * is in use, how much it holds freed, and a way to hand the freed part back to the system.
 *
 * <p>glibc keeps freed memory for reuse, and its threshold for giving large blocks their own
 * mapping rises with the largest block freed, so a training loop whose tensors are a few
 * megabytes each leaves freed pages resident between steps. Resident memory then rises in steps
 * while the memory in use stays flat. {@link #stats} tells the two apart; {@link #release} (glibc's
 * {@code malloc_trim}) returns the freed pages, which the training loop does once per epoch.
 * {@link #holdFreedMemory} keeps freed blocks for the next step instead of unmapping them.
 * All do nothing where the C library is not glibc.
 */
public final class NativeHeap {
  private NativeHeap() {}

  /**
   * The C heap at one moment, in bytes.
   *
   * @param inUse allocated and not freed, in the heap and in separate mappings
   * @param heldFree freed and kept by the allocator for reuse (resident until released, unless already returned)
   */
  public record Stats(long inUse, long heldFree) {}

  /** glibc's {@code struct mallinfo2} (glibc 2.33+): ten {@code size_t} fields. */
  @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"})
  public static class MallInfo2 extends Structure implements Structure.ByValue {
    public long arena;
    public long ordblks;
    public long smblks;
    public long hblks;
    public long hblkhd;
    public long usmblks;
    public long fsmblks;
    public long uordblks;
    public long fordblks;
    public long keepcost;
  }

  private interface GlibC extends Library {
    MallInfo2 mallinfo2();

    int malloc_trim(long pad);

    int mallopt(int param, int value);
  }

  private static final int M_TRIM_THRESHOLD = -1;
  private static final int M_TOP_PAD = -2;
  private static final int M_MMAP_THRESHOLD = -3;

  /** The largest block glibc lets the heap itself hold (half its 64 MB arena heaps); larger ones are mapped alone. */
  static final int HELD_BLOCK_LIMIT = 32 << 20;

  /** Room glibc adds whenever a heap grows: a whole 64 MB thread-arena heap. */
  static final int HEAP_PAD = 64 << 20;

  private static final GlibC LIBC = load();

  private static GlibC load() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      GlibC c = Native.load("c", GlibC.class);
      c.mallinfo2();
      return c;
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return null; // not glibc, or older than 2.33
    }
  }

  /** The heap's figures, or empty where the C library cannot tell them. */
  public static Optional<Stats> stats() {
    if (LIBC == null) {
      return Optional.empty();
    }
    MallInfo2 m = LIBC.mallinfo2();
    return Optional.of(new Stats(m.uordblks + m.hblkhd, m.fordblks));
  }

  /** Returns the heap's freed pages to the system; true if any were. Costs a few milliseconds. */
  public static boolean release() {
    return LIBC != null && LIBC.malloc_trim(0) == 1;
  }

  /**
   * Makes glibc keep freed memory for reuse: blocks up to {@link #HELD_BLOCK_LIMIT} come from the
   * heap rather than a mapping of their own, and the heap's free top is never returned on its own
   * (the training loop's {@link #release} returns it once per epoch), and a thread arena's extra
   * 64 MB heap is kept when it empties: glibc deletes such a heap unless the heap before it lacks
   * the room its top pad asks for, so the pad asks for a whole heap. That happens when another
   * engine's long-lived memory fills the first heap of the calling thread's arena (TensorFlow's,
   * when both backends run in one process). With glibc's defaults a
   * training step's multi-megabyte tensors are mapped and unmapped, or the heap grown and trimmed,
   * every step, and each fresh page costs a fault and zeroing: resnet-mini on libtorch took about
   * 3,700 page faults a step, against about 3 for the same loop in Python (docs/performance.md
   * "Page faults"). Settings the user made in the environment ({@code MALLOC_MMAP_THRESHOLD_},
   * {@code MALLOC_TRIM_THRESHOLD_}, {@code MALLOC_TOP_PAD_}, {@code GLIBC_TUNABLES}) are left
   * alone. Returns true if glibc took the settings.
   */
  public static boolean holdFreedMemory() {
    boolean userSet = System.getenv("MALLOC_MMAP_THRESHOLD_") != null
        || System.getenv("MALLOC_TRIM_THRESHOLD_") != null
        || System.getenv("MALLOC_TOP_PAD_") != null
        || String.valueOf(System.getenv("GLIBC_TUNABLES")).contains("glibc.malloc.");
    return LIBC != null
        && !userSet
        && LIBC.mallopt(M_MMAP_THRESHOLD, HELD_BLOCK_LIMIT) == 1
        && LIBC.mallopt(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1
        && LIBC.mallopt(M_TOP_PAD, HEAP_PAD) == 1;
  }
}
