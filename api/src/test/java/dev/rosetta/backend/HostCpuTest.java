package dev.rosetta.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading AVX-512 off /proc/cpuinfo, as the thread policy does. */
class HostCpuTest {
  @Test
  void findsAvx512FoundationInTheFlagsLine() {
    assertTrue(HostCpu.avx512(List.of("processor\t: 0", "model name\t: Intel Xeon", "flags\t\t: fpu sse2 avx2 avx512f avx512dq")));
  }

  @Test
  void anotherAvx512ExtensionAloneOrAvx2IsNotIt() {
    assertFalse(HostCpu.avx512(List.of("flags\t\t: fpu sse2 avx2 fma")));
    assertFalse(HostCpu.avx512(List.of("flags\t\t: avx512fx avx2")), "a longer flag that starts the same");
  }

  @Test
  void noFlagsLineOrNoFileMeansNo(@TempDir Path dir) throws IOException {
    assertFalse(HostCpu.avx512(List.of("processor\t: 0")));
    assertFalse(HostCpu.avx512(dir.resolve("missing")));
    Path info = Files.writeString(dir.resolve("cpuinfo"), "processor : 0\nflags : avx512f\n");
    assertTrue(HostCpu.avx512(info));
  }

  @Test
  void agreesWithThisMachine() throws IOException {
    Path info = Path.of("/proc/cpuinfo");
    if (Files.isReadable(info)) {
      assertEquals(Files.readString(info).matches("(?s).*\\bavx512f\\b.*"), HostCpu.avx512());
    }
  }
}
