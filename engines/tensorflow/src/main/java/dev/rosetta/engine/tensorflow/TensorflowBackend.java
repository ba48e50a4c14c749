package dev.rosetta.engine.tensorflow;

import ai.djl.engine.Engine;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.train.Backend;
import dev.rosetta.train.InferenceModel;
import dev.rosetta.train.TrainableModel;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.TensorFlow;

/**
 * TensorFlow through the TF Java API inside DJL's tensorflow-api jar: a graph built from the IR,
 * TF's own gradient registry, Rosetta's optimizer math as graph ops. DJL's TfEngine is the
 * inference face, on a SavedModel exported from that graph.
 */
public final class TensorflowBackend implements Backend {
  public static final String NAME = "tensorflow";

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
  public List<SpecIssue> unsupported(ModelSpec spec) {
    List<SpecIssue> issues = new ArrayList<>();
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      String reason = layer.accept(SUPPORT);
      if (reason != null) {
        issues.add(
            SpecIssue.error(
                "$.layers[" + i + "]", layer.name(),
                "layer '" + layer.name() + "' (" + layer.type() + ") is not supported by the "
                    + NAME + " backend: " + reason));
      }
    }
    return issues;
  }

  /**
   * Null when TensorFlow can lower the layer, else why not. Every kind in today's IR lowers; a
   * future kind (say, a padding mode TF lacks) answers here, so the spec fails at validation.
   */
  private static final Layer.Visitor<String> SUPPORT =
      new Layer.Visitor<>() {
        @Override
        public String dense(Layer.Dense l) {
          return null;
        }

        @Override
        public String relu(Layer.Relu l) {
          return null;
        }

        @Override
        public String sigmoid(Layer.Sigmoid l) {
          return null;
        }

        @Override
        public String tanh(Layer.Tanh l) {
          return null;
        }

        @Override
        public String softmax(Layer.Softmax l) {
          return null;
        }

        @Override
        public String flatten(Layer.Flatten l) {
          return null;
        }

        @Override
        public String dropout(Layer.Dropout l) {
          return null;
        }

        @Override
        public String leakyRelu(Layer.LeakyRelu l) {
          return null;
        }

        @Override
        public String elu(Layer.Elu l) {
          return null;
        }

        @Override
        public String gelu(Layer.Gelu l) {
          return null;
        }

        @Override
        public String reshape(Layer.Reshape l) {
          return null;
        }

        @Override
        public String conv2d(Layer.Conv2d l) {
          return null;
        }

        @Override
        public String maxPool2d(Layer.MaxPool2d l) {
          return null;
        }

        @Override
        public String avgPool2d(Layer.AvgPool2d l) {
          return null;
        }

        @Override
        public String globalAvgPool2d(Layer.GlobalAvgPool2d l) {
          return null;
        }

        @Override
        public String batchNorm(Layer.BatchNorm l) {
          return null;
        }

        @Override
        public String layerNorm(Layer.LayerNorm l) {
          return null;
        }

        @Override
        public String add(Layer.Add l) {
          return null;
        }

        @Override
        public String concat(Layer.Concat l) {
          return null;
        }
      };

  @Override
  public TrainableModel create(ModelSpec spec, WeightSet weights) {
    return createModel(spec, weights);
  }

  /** {@link #create} with the TensorFlow-specific face (SavedModel export). */
  public TensorflowModel createModel(ModelSpec spec, WeightSet weights) {
    requireSupported(spec);
    weights.requireMatches(spec, "initial weights");
    TensorflowNatives.load();
    return new TensorflowModel(spec, weights);
  }

  /**
   * Exports the weights as a SavedModel, loads it back through DJL's TfEngine and predicts
   * through that DJL model: what a DJL user serving the trained model would run.
   */
  @Override
  public InferenceModel inference(ModelSpec spec, WeightSet weights) {
    requireSupported(spec);
    weights.requireMatches(spec, "weights");
    try {
      return DjlSavedModel.open(spec, weights);
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
  public void exportSavedModel(ModelSpec spec, WeightSet weights, Path dir) throws IOException {
    requireSupported(spec);
    weights.requireMatches(spec, "weights");
    TensorflowNatives.load();
    SavedModelExport.export(spec, weights, dir);
  }

  private void requireSupported(ModelSpec spec) {
    List<SpecIssue> issues = unsupported(spec);
    if (!issues.isEmpty()) {
      throw new IllegalArgumentException(
          issues.stream().map(SpecIssue::toString).reduce((a, b) -> a + "\n" + b).orElseThrow());
    }
  }
}
