package dev.rosetta.checkpoint;

import dev.rosetta.RosettaVersion;
import dev.rosetta.backend.OptimizerState;
import dev.rosetta.data.DataException;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.train.TrainingState;
import dev.rosetta.weights.Safetensors;
import dev.rosetta.weights.Tensor;
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
    save(file, spec, weights, p, null, null, null, null);
  }

  /**
   * Writes atomically, with the preprocessing statistics fitted on the training data (and so the
   * class names) when the spec has a {@code preprocess} section.
   *
   * @param preprocessor null for a spec without one
   */
  public static void save(Path file, CheckedSpec spec, WeightSet weights, Provenance p, Preprocessor preprocessor)
      throws IOException {
    save(file, spec, weights, p, preprocessor, null, null, null);
  }

  /** Tensor names of optimizer state start with this: {@code optimizer/fc1.weight/m}. */
  public static final String OPTIMIZER_PREFIX = "optimizer/";

  /** The metadata keys of what a resumed run needs besides tensors. */
  public static final String OPTIMIZER_STEP = "optimizer_step";

  public static final String TRAINING_STATE = "training_state";

  /**
   * Writes atomically, with what resuming the run needs when {@code optimizer} and {@code
   * state} are given: the optimizer's state tensors beside the weights (each shaped like its
   * parameter, named {@code optimizer/<parameter>/<slot>}, so Python reads them with the same
   * safetensors call) and the training state in the metadata.
   */
  public static void save(
      Path file, CheckedSpec spec, WeightSet weights, Provenance p, Preprocessor preprocessor, OptimizerState optimizer,
      TrainingState state) throws IOException {
    save(file, spec, weights, p, preprocessor, null, optimizer, state);
  }

  /**
   * Writes atomically, with the vocabulary of a model trained on text ({@link
   * Vocabulary#METADATA_KEY}) so that it reads and writes text wherever it is loaded.
   *
   * @param vocabulary may be null
   */
  public static void save(Path file, CheckedSpec spec, WeightSet weights, Provenance p, Vocabulary vocabulary)
      throws IOException {
    save(file, spec, weights, p, null, vocabulary, null, null);
  }

  /**
   * Writes atomically, with whichever of the fitted preprocessing, the text vocabulary, the
   * optimizer state and the training state are given (each may be null).
   */
  public static void save(
      Path file, CheckedSpec spec, WeightSet weights, Provenance p, Preprocessor preprocessor, Vocabulary vocabulary,
      OptimizerState optimizer, TrainingState state) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", FORMAT);
    meta.put("rosetta_version", RosettaVersion.VERSION);
    meta.put("spec_name", spec.name());
    meta.put("spec_hash", SpecJson.hash(spec));
    meta.putAll(p.toMetadata());
    if (preprocessor != null) {
      meta.put(PREPROCESS, preprocessor.toJson());
    }
    if (vocabulary != null) {
      meta.put(Vocabulary.METADATA_KEY, vocabulary.characters());
    }
    WeightSet tensors = weights;
    if (optimizer != null) {
      Map<String, Shape> shapes = new LinkedHashMap<>();
      spec.params().forEach(ps -> shapes.put(ps.name(), ps.shape()));
      Map<String, Tensor> all = new LinkedHashMap<>(weights.tensors());
      optimizer.tensors().forEach((name, values) -> {
        Shape shape = shapes.get(name.substring(0, name.lastIndexOf('/')));
        all.put(OPTIMIZER_PREFIX + name, new Tensor(shape, values));
      });
      tensors = new WeightSet(all);
      meta.put(OPTIMIZER_STEP, Long.toString(optimizer.step()));
    }
    if (state != null) {
      meta.put(TRAINING_STATE, state.toJson());
    }
    Safetensors.write(file, tensors, meta);
  }

  /**
   * A loaded checkpoint: weights checked against the spec, the file's metadata, and the
   * optimizer state when the file has one (null for checkpoints written before resuming existed
   * and for best and initial weights).
   */
  public record Loaded(WeightSet weights, Map<String, String> metadata, OptimizerState optimizer) {
    /** Where the run stood, or null when the file cannot resume one. */
    public TrainingState trainingState() {
      String json = metadata.get(TRAINING_STATE);
      return json == null ? null : TrainingState.fromJson(json);
    }

    public int epoch() {
      return Integer.parseInt(metadata.getOrDefault("epoch", "0"));
    }

    public String backend() {
      return metadata.getOrDefault("backend", "unknown");
    }

    /** The vocabulary stored with a model trained on text, or null. */
    public Vocabulary vocabulary() {
      return Vocabulary.fromMetadata(metadata);
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
    Loaded l = read(file);
    l.weights().requireMatches(spec, "checkpoint " + file);
    return l;
  }

  /** Reads a checkpoint without checking it against a spec (for loading by name). */
  public static Loaded read(Path file) throws IOException {
    Safetensors.Contents c = Safetensors.read(file);
    Map<String, Tensor> weights = new LinkedHashMap<>();
    Map<String, float[]> state = new LinkedHashMap<>();
    c.weights().tensors().forEach((name, t) -> {
      if (name.startsWith(OPTIMIZER_PREFIX)) {
        state.put(name.substring(OPTIMIZER_PREFIX.length()), t.data());
      } else {
        weights.put(name, t);
      }
    });
    String step = c.metadata().get(OPTIMIZER_STEP);
    OptimizerState optimizer = step == null ? null : new OptimizerState(Long.parseLong(step), state);
    return new Loaded(new WeightSet(weights), c.metadata(), optimizer);
  }
}
