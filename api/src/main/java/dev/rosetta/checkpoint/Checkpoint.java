package dev.rosetta.checkpoint;

import dev.rosetta.RosettaVersion;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Safetensors;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file of canonical weights plus provenance: which spec (hash), backend and
 * versions, seed, epoch, step and metrics produced it. Nothing time-dependent is stored, so the
 * same run twice gives byte-identical files.
 */
public final class Checkpoint {
  public static final String FORMAT = "rosetta-checkpoint/v1";

  private Checkpoint() {}

  /** Writes atomically. */
  public static void save(Path file, CheckedSpec spec, WeightSet weights, Provenance p) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("rosetta_version", RosettaVersion.VERSION);
    meta.put("spec_name", spec.name());
    meta.put("spec_hash", SpecJson.hash(spec));
    meta.putAll(p.toMetadata());
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
  public static Loaded load(Path file, CheckedSpec spec) throws IOException {
    Safetensors.Contents c = Safetensors.read(file);
    c.weights().requireMatches(spec, "checkpoint " + file);
    return new Loaded(c.weights(), c.metadata());
  }
}
