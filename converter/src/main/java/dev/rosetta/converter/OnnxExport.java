package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.train.Checkpoint;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes a spec and its weights as an ONNX file. */
public final class OnnxExport {
  /** Checkpoint metadata keys that describe how the weights were produced. */
  private static final List<String> PROVENANCE_KEYS =
      List.of("backend", "versions", "seed", "epoch", "step", "metrics");

  private static final ObjectMapper JSON = new ObjectMapper();

  private OnnxExport() {}

  /** {@link #export(ModelSpec, WeightSet, Map, int, Path)} at {@link OnnxOpset#DEFAULT}. */
  public static ModelProto export(
      ModelSpec spec, WeightSet weights, Map<String, String> provenance, Path out)
      throws IOException {
    return export(spec, weights, provenance, OnnxOpset.DEFAULT, out);
  }

  /**
   * Lowers and writes atomically: the weights are checked against the spec and the whole model
   * is built before anything touches the file system, and the bytes go to a temporary file that
   * is moved into place, so a failed export leaves no file (and an existing file unchanged).
   *
   * @param provenance see {@link OnnxLowering#lower(ModelSpec, WeightSet, Map, int)}; {@link
   *     #provenanceFromCheckpoint} builds it from a checkpoint's metadata
   * @return the model written
   * @throws WeightSet.WeightMismatchException listing every tensor that does not fit the spec
   * @throws IllegalArgumentException for an unsupported opset
   */
  public static ModelProto export(
      ModelSpec spec, WeightSet weights, Map<String, String> provenance, int opset, Path out)
      throws IOException {
    OnnxOpset.requireSupported(opset);
    weights.requireMatches(spec, "weights for " + out);
    ModelProto model = OnnxLowering.lower(spec, weights, provenance, opset);
    AtomicFile.write(out, model::writeTo);
    return model;
  }

  /**
   * Provenance of weights still in memory (right after training), written as {@code
   * Checkpoint.save} writes it, so an ONNX file exported from a run and one exported from that
   * run's checkpoint carry the same values.
   */
  public static Map<String, String> provenance(Checkpoint.Provenance p) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("backend", p.backend());
    out.put("versions", json(new TreeMap<>(p.versions())));
    out.put("seed", Long.toString(p.seed()));
    out.put("epoch", Integer.toString(p.epoch()));
    out.put("step", Long.toString(p.step()));
    out.put("metrics", json(new TreeMap<>(p.metrics())));
    return out;
  }

  private static String json(Object o) {
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The part of a checkpoint's metadata ({@code Checkpoint.Loaded.metadata()}) that belongs in
   * the ONNX file: backend, versions, seed, epoch, step, metrics. Spec hash and name are taken
   * from the spec being exported, not from here.
   */
  public static Map<String, String> provenanceFromCheckpoint(Map<String, String> checkpointMetadata) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : PROVENANCE_KEYS) {
      String v = checkpointMetadata.get(key);
      if (v != null) {
        out.put(key, v);
      }
    }
    return out;
  }
}
