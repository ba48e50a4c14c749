package dev.rosetta.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from /proc (Linux), in MiB; NaN where unavailable. */
final class ProcessMemory {
  private ProcessMemory() {}

  /** Current resident set size. */
  static double rssMb() {
    return field("VmRSS:");
  }

  /** Peak resident set size since the process started. */
  static double peakRssMb() {
    return field("VmHWM:");
  }

  /**
   * Resets the peak ({@link #peakRssMb}) to the current resident size, so the next peak is that
   * of what runs after (Linux 4.0+: writing 5 to /proc/self/clear_refs); a no-op elsewhere.
   */
  static void resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // the peak then stays the process's
    }
  }

  private static double field(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(name)) {
          String kb = line.substring(name.length()).trim().split("\\s+")[0];
          return Long.parseLong(kb) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}
