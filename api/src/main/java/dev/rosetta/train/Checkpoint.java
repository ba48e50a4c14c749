package dev.rosetta.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.RosettaVersion;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Safetensors;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A safetensors file of canonical weights plus provenance: which spec (hash), backend and
 * versions, seed, epoch, step and metrics produced it. Nothing time-dependent is stored, so the
 * same run twice gives byte-identical files.
 */
public final class Checkpoint {
  public static final String FORMAT = "rosetta-checkpoint/v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Checkpoint() {}

  /** Provenance of a checkpoint. */
  public record Provenance(
      String backend, Map<String, String> versions, long seed, int epoch, long step,
      Map<String, Double> metrics) {

    public static Provenance initial(Backend backend, ModelSpec spec) {
      return new Provenance(backend.name(), backend.versions(), spec.training().seed(), 0, 0, Map.of());
    }
  }

  /** Writes atomically. */
  public static void save(Path file, ModelSpec spec, WeightSet weights, Provenance p)
      throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("rosetta_version", RosettaVersion.VERSION);
    meta.put("spec_name", spec.name());
    meta.put("spec_hash", SpecJson.hash(spec));
    meta.put("backend", p.backend());
    meta.put("versions", JSON.writeValueAsString(new TreeMap<>(p.versions())));
    meta.put("seed", Long.toString(p.seed()));
    meta.put("epoch", Integer.toString(p.epoch()));
    meta.put("step", Long.toString(p.step()));
    meta.put("metrics", JSON.writeValueAsString(new TreeMap<>(p.metrics())));
    Safetensors.write(file, weights, meta);
  }

  /** A loaded checkpoint: weights checked against the spec, and the file's metadata. */
  public record Loaded(WeightSet weights, Map<String, String> metadata) {
    public String backend() {
      return metadata.getOrDefault("backend", "unknown");
    }

    public long step() {
      return Long.parseLong(metadata.getOrDefault("step", "0"));
    }
  }

  /**
   * Reads a checkpoint and checks its tensor names and shapes against the spec.
   *
   * @throws WeightSet.WeightMismatchException listing every difference
   * @throws IOException for a missing, truncated or corrupt file
   */
  public static Loaded load(Path file, ModelSpec spec) throws IOException {
    Safetensors.Contents c = Safetensors.read(file);
    c.weights().requireMatches(spec, "checkpoint " + file);
    return new Loaded(c.weights(), c.metadata());
  }
}
