package dev.rosetta.cli;

import dev.rosetta.converter.OnnxInspector;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.engine.onnxruntime.OnnxRuntimeModel;
import dev.rosetta.engine.onnxruntime.TabularOnnxModel;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.train.Evaluator;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.backend.InferenceModel;
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

  /**
   * An opened model and the name of the runtime it runs on. For a spec with a {@code preprocess}
   * section it also holds the fitted statistics (the checkpoint's, or the ONNX file's), and an
   * exported file runs on raw rows ({@code rows}, with {@code model} null). A model trained on
   * text holds the vocabulary stored with it (null otherwise).
   */
  record Opened(InferenceModel model, String runtime, Preprocessor preprocessor, TabularOnnxModel rows, Vocabulary vocabulary)
      implements AutoCloseable {
    Opened(InferenceModel model, String runtime) {
      this(model, runtime, null, null, null);
    }

    /** The outputs for prepared rows: an exported graph reads them raw, a backend preprocessed. */
    float[] outputs(CheckedSpec spec, Preprocessor.Prepared p) {
      if (rows != null) {
        return rows.predict(p.rows());
      }
      Dataset d = p.data();
      int width = spec.outputSize();
      float[] out = new float[d.size() * width];
      for (int from = 0; from < d.size(); from += Evaluator.BATCH) {
        int to = Math.min(d.size(), from + Evaluator.BATCH);
        System.arraycopy(model.predict(d.slice(from, to).features(), to - from), 0, out, from * width, (to - from) * width);
      }
      return out;
    }

    @Override
    public void close() {
      if (model != null) {
        model.close();
      }
      if (rows != null) {
        rows.close();
      }
    }
  }

  /**
   * The backend to run a checkpoint on: the one asked for, else the one that wrote it, else
   * PyTorch (a checkpoint from a backend that is not on the class path).
   */
  static Backend backendFor(String requested, Checkpoint.Loaded ckpt) {
    if (requested != null) {
      return Backends.get(requested);
    }
    return Backends.get(Backends.names().contains(ckpt.backend()) ? ckpt.backend() : "pytorch");
  }

  Opened open(CheckedSpec spec, Path specFile) throws IOException {
    if (onnx != null || ONNX_RUNTIME.equals(backend)) {
      if (onnx == null) {
        throw new Rosetta.UserInputException("--backend onnxruntime needs --model FILE.onnx");
      }
      if (backend != null && !ONNX_RUNTIME.equals(backend)) {
        throw new Rosetta.UserInputException("--model runs in ONNX Runtime; drop --backend " + backend + " or use --weights");
      }
      if (spec.spec().preprocess() != null) {
        TabularOnnxModel t = TabularOnnxModel.load(onnx, spec);
        return new Opened(null, ONNX_RUNTIME, t.preprocessor(), t, null);
      }
      Vocabulary vocabulary = Vocabulary.fromMetadata(OnnxInspector.inspect(onnx).metadata());
      return new Opened(OnnxRuntimeModel.load(onnx, spec), ONNX_RUNTIME, null, null, vocabulary);
    }
    if (weights == null) {
      throw new Rosetta.UserInputException("give --weights CKPT (or --model FILE.onnx with --backend onnxruntime)");
    }
    Checkpoint.Loaded ckpt = Checkpoint.load(weights, spec);
    Backend b = backendFor(backend, ckpt);
    SpecFiles.requireSupported(b, spec, specFile);
    Preprocessor p = ckpt.preprocessor(spec, weights.toString());
    return new Opened(b.inference(spec, ckpt.weights()), b.name(), p, null, ckpt.vocabulary());
  }
}
