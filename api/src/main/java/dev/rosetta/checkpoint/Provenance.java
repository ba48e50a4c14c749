package dev.rosetta.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.backend.Backend;
import dev.rosetta.spec.CheckedSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a set of weights was produced: backend and versions, seed, epoch, step and the metrics at
 * that point. Written as string metadata the same way into checkpoints and ONNX files ({@link
 * #toMetadata}), so a file exported from a run and one exported from its checkpoint agree.
 */
public record Provenance(
    String backend, Map<String, String> versions, long seed, int epoch, long step, Map<String, Double> metrics) {
  /** The metadata keys, in the order they are written. */
  public static final List<String> KEYS = List.of("backend", "versions", "seed", "epoch", "step", "metrics");

  private static final ObjectMapper JSON = new ObjectMapper();

  public Provenance {
    versions = Map.copyOf(versions);
    metrics = Map.copyOf(metrics);
  }

  /** Weights before step 1 of a run on {@code backend}. */
  public static Provenance initial(Backend backend, CheckedSpec spec) {
    return new Provenance(backend.name(), backend.versions(), spec.training().seed(), 0, 0, Map.of());
  }

  /** The string metadata: maps as JSON with sorted keys; nothing time-dependent. */
  public Map<String, String> toMetadata() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("backend", backend);
    out.put("versions", json(new TreeMap<>(versions)));
    out.put("seed", Long.toString(seed));
    out.put("epoch", Integer.toString(epoch));
    out.put("step", Long.toString(step));
    out.put("metrics", json(new TreeMap<>(metrics)));
    return out;
  }

  /** The provenance entries of some file's metadata (a checkpoint's), others dropped. */
  public static Map<String, String> select(Map<String, String> metadata) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : KEYS) {
      String v = metadata.get(key);
      if (v != null) {
        out.put(key, v);
      }
    }
    return out;
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
