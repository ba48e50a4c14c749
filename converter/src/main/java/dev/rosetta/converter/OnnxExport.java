package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Writes a spec and its weights as an ONNX file. */
public final class OnnxExport {
  private OnnxExport() {}

  /** {@link #export(CheckedSpec, WeightSet, Map, int, Path)} at {@link OnnxOpset#DEFAULT}. */
  public static ModelProto export(
      CheckedSpec spec, WeightSet weights, Map<String, String> provenance, Path out)
      throws IOException {
    return export(spec, weights, provenance, OnnxOpset.DEFAULT, out);
  }

  /**
   * Lowers and writes atomically: the weights are checked against the spec and the whole model
   * is built before anything touches the file system, and the bytes go to a temporary file that
   * is moved into place, so a failed export leaves no file (and an existing file unchanged).
   *
   * @param provenance see {@link OnnxLowering#lower(CheckedSpec, WeightSet, Map, int)}; {@link
   *     #provenanceFromCheckpoint} builds it from a checkpoint's metadata
   * @return the model written
   * @throws WeightSet.WeightMismatchException listing every tensor that does not fit the spec
   * @throws IllegalArgumentException for an unsupported opset
   */
  public static ModelProto export(
      CheckedSpec spec, WeightSet weights, Map<String, String> provenance, int opset, Path out)
      throws IOException {
    return export(spec, weights, provenance, opset, null, out);
  }

  /**
   * As {@link #export(CheckedSpec, WeightSet, Map, int, Path)}, with the fitted preprocessing as
   * the graph's first nodes, so the file reads raw table rows (see {@link OnnxLowering#lower(
   * CheckedSpec, WeightSet, Map, int, Preprocessor)}).
   *
   * @param preprocessor null for a spec without a preprocess section
   */
  public static ModelProto export(
      CheckedSpec spec, WeightSet weights, Map<String, String> provenance, int opset, Preprocessor preprocessor,
      Path out) throws IOException {
    OnnxOpset.requireSupported(opset);
    weights.requireMatches(spec, "weights for " + out);
    ModelProto model = OnnxLowering.lower(spec, weights, provenance, opset, preprocessor);
    AtomicFile.write(out, model::writeTo);
    return model;
  }

  /**
   * Provenance of weights still in memory (right after training), written as a checkpoint
   * writes it, so an ONNX file exported from a run and one exported from that run's checkpoint
   * carry the same values.
   */
  public static Map<String, String> provenance(Provenance p) {
    return p.toMetadata();
  }

  /**
   * The part of a checkpoint's metadata that belongs in the ONNX file: backend, versions, seed,
   * epoch, step, metrics, and the vocabulary of a model trained on text (so the file reads and
   * writes text by itself). Spec hash and name are taken from the spec being exported, not from
   * here.
   */
  public static Map<String, String> provenanceFromCheckpoint(Map<String, String> checkpointMetadata) {
    Map<String, String> out = new java.util.LinkedHashMap<>(Provenance.select(checkpointMetadata));
    String vocabulary = checkpointMetadata.get(Vocabulary.METADATA_KEY);
    if (vocabulary != null) {
      out.put(Vocabulary.METADATA_KEY, vocabulary);
    }
    return out;
  }
}
