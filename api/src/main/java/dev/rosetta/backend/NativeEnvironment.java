package dev.rosetta.backend;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Sets a variable in the process environment, where native libraries read their settings when
 * they load (System.getenv is read-only from Java). Engines call it before their library loads;
 * a value the user set is left alone.
 */
public final class NativeEnvironment {
  private NativeEnvironment() {}

  /** The C library's environment setters. */
  private interface LibC extends Library {
    int setenv(String name, String value, int overwrite);

    int _putenv(String assignment);

    String getenv(String name);
  }

  /**
   * {@code name}'s value in the process environment as native libraries read it, which {@link
   * #setUnlessSet} may have changed since the JVM started ({@link System#getenv} shows the start);
   * null if unset or unreadable.
   */
  public static String get(String name) {
    try {
      return Native.load(Platform.isWindows() ? "msvcrt" : "c", LibC.class).getenv(name);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return null;
    }
  }

  /** Sets {@code name} to {@code value} unless the environment has it. Best effort: never fails a run. */
  public static void setUnlessSet(String name, String value) {
    if (System.getenv(name) != null) {
      return;
    }
    try {
      if (Platform.isWindows()) {
        Native.load("msvcrt", LibC.class)._putenv(name + "=" + value);
      } else {
        Native.load("c", LibC.class).setenv(name, value, 0);
      }
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      // The library then runs with its own default.
    }
  }
}
