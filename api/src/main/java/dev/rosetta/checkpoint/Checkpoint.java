package dev.rosetta.checkpoint;

import dev.rosetta.RosettaVersion;
import dev.rosetta.data.DataException;
import dev.rosetta.tabular.Preprocessor;
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

  /** The metadata key of the fitted preprocessing statistics ({@link Preprocessor#toJson}). */
  public static final String PREPROCESS = "preprocess";

  /** Writes atomically. */
  public static void save(Path file, CheckedSpec spec, WeightSet weights, Provenance p) throws IOException {
    save(file, spec, weights, p, null);
  }

  /**
   * Writes atomically, with the preprocessing statistics fitted on the training data (and so the
   * class names) when the spec has a {@code preprocess} section.
   *
   * @param preprocessor null for a spec without one
   */
  public static void save(Path file, CheckedSpec spec, WeightSet weights, Provenance p, Preprocessor preprocessor)
      throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("rosetta_version", RosettaVersion.VERSION);
    meta.put("spec_name", spec.name());
    meta.put("spec_hash", SpecJson.hash(spec));
    meta.putAll(p.toMetadata());
    if (preprocessor != null) {
      meta.put(PREPROCESS, preprocessor.toJson());
    }
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

    /**
     * The preprocessing the weights were trained behind, for a spec with a {@code preprocess}
     * section; null for one without (every checkpoint written before preprocessing existed).
     *
     * @param source names the checkpoint in messages
     * @throws DataException when the spec preprocesses but the checkpoint has no statistics
     */
    public Preprocessor preprocessor(CheckedSpec spec, String source) {
      if (spec.spec().preprocess() == null) {
        return null;
      }
      String json = metadata.get(PREPROCESS);
      if (json == null) {
        throw new DataException(source + ": the spec has a preprocess section, but this checkpoint carries no fitted"
            + " preprocessing statistics (it was trained from a spec without one); train it again with this spec");
      }
      return Preprocessor.fromJson(json, spec, source);
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
