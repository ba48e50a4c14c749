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
 * Both do nothing where the C library is not glibc.
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
  }

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
}
