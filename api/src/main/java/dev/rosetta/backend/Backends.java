package dev.rosetta.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backends on the class path through {@link ServiceLoader}. */
public final class Backends {
  private Backends() {}

  public static List<Backend> available() {
    List<Backend> out = new ArrayList<>();
    ServiceLoader.load(Backend.class).forEach(out::add);
    return out;
  }

  public static List<String> names() {
    return available().stream().map(Backend::name).toList();
  }

  /**
   * The backend called {@code name}.
   *
   * @throws UnknownBackendException naming the backends present
   */
  public static Backend get(String name) {
    for (Backend b : available()) {
      if (b.name().equals(name)) {
        return b;
      }
    }
    throw new UnknownBackendException(name, names());
  }
}
