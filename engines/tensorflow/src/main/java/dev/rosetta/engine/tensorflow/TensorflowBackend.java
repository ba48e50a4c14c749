package dev.rosetta.engine.tensorflow;

import ai.djl.engine.Engine;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.TensorFlow;

/**
 * TensorFlow through the TF Java API inside DJL's tensorflow-api jar: a graph built from the IR,
 * TF's own gradient registry, Rosetta's optimizer math as graph ops. DJL's TfEngine is the
 * inference face, on a SavedModel exported from that graph.
 */
public final class TensorflowBackend implements Backend {
  public static final String NAME = "tensorflow";

  private final TensorflowParts parts;

  /** The backend ServiceLoader finds. */
  public TensorflowBackend() {
    this(TensorflowParts.STANDARD);
  }

  /** A backend assembled from other parts: the parity suite's planted-bug candidates. */
  TensorflowBackend(TensorflowParts parts) {
    this.parts = parts;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, String> versions() {
    TensorflowNatives.load();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("djl", Engine.getDjlVersion());
    v.put("tensorflow", TensorFlow.version());
    return v;
  }

  @Override
  public TrainableModel create(CheckedSpec spec, WeightSet weights, Execution execution) {
    return createModel(spec, weights, execution);
  }

  /** {@link #create} with the TensorFlow-specific type. */
  public TensorflowModel createModel(CheckedSpec spec, WeightSet weights) {
    return createModel(spec, weights, Execution.DEFAULT);
  }

  public TensorflowModel createModel(CheckedSpec spec, WeightSet weights, Execution execution) {
    requireSupported(spec);
    weights.requireMatches(spec, "initial weights");
    TensorflowNatives.load();
    int threads = execution.intraOpThreads() > 0
        ? execution.intraOpThreads()
        : TfTensors.defaultThreads(spec, spec.training().batchSize());
    return new TensorflowModel(spec, weights, threads, parts);
  }

  /**
   * Exports the weights as a SavedModel, loads it back through DJL's TfEngine and predicts
   * through that DJL model: what a DJL user serving the trained model would run.
   */
  @Override
  public InferenceModel inference(CheckedSpec spec, WeightSet weights) {
    requireSupported(spec);
    weights.requireMatches(spec, "weights");
    try {
      return DjlSavedModel.open(spec, weights, TfTensors.inferenceThreads(spec));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export or load the SavedModel", e);
    }
  }

  /**
   * Writes a SavedModel (tag {@code serve}, signature {@code serving_default} with input
   * {@code input} and output {@code output}) of the spec's inference graph with these weights.
   *
   * @param dir must not exist yet or be empty
   */
  public void exportSavedModel(CheckedSpec spec, WeightSet weights, Path dir) throws IOException {
    requireSupported(spec);
    weights.requireMatches(spec, "weights");
    TensorflowNatives.load();
    SavedModelExport.export(spec, weights, dir);
  }
}
