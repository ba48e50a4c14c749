package dev.rosetta.cli;

import dev.rosetta.spec.ModelSpec;
import dev.rosetta.train.Backend;
import dev.rosetta.train.Backends;
import dev.rosetta.train.Checkpoint;
import dev.rosetta.train.InferenceModel;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --weights CKPT [--backend B]}: a trained model to run, shared by eval and predict. */
final class ModelSource {
  @Option(names = "--weights", paramLabel = "CKPT", required = true, description = "Checkpoint (.safetensors) from any backend.")
  Path weights;

  @Option(names = "--backend", description = "Runtime: pytorch or tensorflow (default: the backend that wrote the checkpoint).")
  String backend;

  /** An opened model and the name of the runtime it runs on. */
  record Opened(InferenceModel model, String runtime) implements AutoCloseable {
    @Override
    public void close() {
      model.close();
    }
  }

  Opened open(ModelSpec spec, Path specFile) throws IOException {
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
