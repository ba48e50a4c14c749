package dev.rosetta.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What the thread policy needs to know about the processor beside its core count: whether it has
 * 512-bit vector units (AVX-512). With them a layer's kernel runs in about half the time, so a
 * hand-off between threads costs relatively more and a split pays only from larger ops
 * (docs/performance.md, "Thread policy", measured on a Xeon with AVX-512 and an EPYC without).
 */
public final class HostCpu {
  private static final Path CPUINFO = Path.of("/proc/cpuinfo");
  private static final boolean AVX512 = avx512(CPUINFO);

  private HostCpu() {}

  /** Whether this machine's processor reports AVX-512 (Linux; false where it cannot be read). */
  public static boolean avx512() {
    return AVX512;
  }

  /** Whether the first {@code flags} line of a {@code /proc/cpuinfo} file lists {@code avx512f}. */
  static boolean avx512(Path cpuinfo) {
    try {
      return avx512(Files.readAllLines(cpuinfo));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static boolean avx512(List<String> cpuinfo) {
    for (String line : cpuinfo) {
      if (line.startsWith("flags")) {
        int colon = line.indexOf(':');
        return colon >= 0 && Arrays.asList(line.substring(colon + 1).trim().split("\\s+")).contains("avx512f");
      }
    }
    return false;
  }
}
