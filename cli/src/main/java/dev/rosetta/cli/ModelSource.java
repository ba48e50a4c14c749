package dev.rosetta.cli;

import dev.rosetta.converter.OnnxRuntimeModel;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.train.Backend;
import dev.rosetta.train.Backends;
import dev.rosetta.train.Checkpoint;
import dev.rosetta.train.InferenceModel;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --weights CKPT [--backend B]} or {@code --backend onnxruntime --model FILE.onnx}: a
 * trained model to run, shared by eval and predict.
 */
final class ModelSource {
  static final String ONNX_RUNTIME = "onnxruntime";

  @Option(names = "--weights", paramLabel = "CKPT", description = "Checkpoint (.safetensors) from any backend.")
  Path weights;

  @Option(names = "--model", paramLabel = "FILE", description = "An exported .onnx file, for --backend onnxruntime.")
  Path onnx;

  @Option(names = "--backend", description = "Runtime: pytorch, tensorflow or onnxruntime (default: the backend that wrote the checkpoint; onnxruntime with --model).")
  String backend;

  /** An opened model and the name of the runtime it runs on. */
  record Opened(InferenceModel model, String runtime) implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  Opened open(ModelSpec spec, Path specFile) throws IOException {
    if (onnx != null || ONNX_RUNTIME.equals(backend)) {
      if (onnx == null) {
        throw new Rosetta.UserInputException("--backend onnxruntime needs --model FILE.onnx");
      }
      if (backend != null && !ONNX_RUNTIME.equals(backend)) {
        throw new Rosetta.UserInputException("--model runs in ONNX Runtime; drop --backend " + backend + " or use --weights");
      }
      return new Opened(OnnxRuntimeModel.load(onnx, spec), ONNX_RUNTIME);
    }
    if (weights == null) {
      throw new Rosetta.UserInputException("give --weights CKPT (or --model FILE.onnx with --backend onnxruntime)");
    }
    Checkpoint.Loaded ckpt = Checkpoint.load(weights, spec);
    String name = backend != null ? backend : ckpt.backend();
    if (!Backends.names().contains(name)) {
      name = backend != null ? backend : "pytorch";
    }
    Backend b = Backends.get(name);
    SpecFiles.requireSupported(b, spec, specFile);
    return new Opened(b.inference(spec, ckpt.weights()), b.name());
  }
}
