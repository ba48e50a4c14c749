package dev.rosetta.engine.onnxruntime;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.rosetta.converter.OnnxInspector;
import dev.rosetta.converter.OnnxFileException;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.InferenceModel;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * An ONNX file run by ONNX Runtime through DJL: the inference face of an exported model, usable
 * wherever an {@link InferenceModel} is (evaluation, benchmarks, parity checks). Single-threaded;
 * close it to free the native session.
 */
public final class OnnxRuntimeModel implements InferenceModel {
  public static final String ENGINE = "OnnxRuntime";

  private final Path file;
  private final ZooModel<NDList, NDList> model;
  private final Predictor<NDList, NDList> predictor;
  private final CheckedSpec spec;
  private final Shape input;
  private final int outputSize;

  private OnnxRuntimeModel(Path file, ZooModel<NDList, NDList> model, CheckedSpec spec, int outputSize) {
    this.file = file;
    this.spec = spec;
    this.model = model;
    this.predictor = model.newPredictor();
    this.input = spec.input();
    this.outputSize = outputSize;
  }

  /** ONNX Runtime's natives come inside its Maven jar; DJL must never try to download. */
  static Engine engine() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    return Engine.getEngine(ENGINE);
  }

  /**
   * Loads {@code file} after checking that its input and output fit {@code spec}, so a model
   * exported from another spec fails here with both shapes named rather than inside the runtime.
   *
   * @throws OnnxFileException for a missing, non-ONNX or corrupt file, or one that does not fit
   *     the spec
   */
  public static OnnxRuntimeModel load(Path file, CheckedSpec spec) throws IOException {
    return load(file, spec, 0);
  }

  /**
   * As {@link #load(Path, CheckedSpec)}, with the number of threads one inference may use.
   *
   * @param intraOpThreads 0 for ONNX Runtime's default (one per core)
   */
  public static OnnxRuntimeModel load(Path file, CheckedSpec spec, int intraOpThreads) throws IOException {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0 (got " + intraOpThreads + ")");
    }
    ModelProto proto = OnnxInspector.read(file);
    int outputSize = OnnxSignature.check(file, proto, spec);
    engine();
    Criteria.Builder<NDList, NDList> builder =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optEngine(ENGINE)
            // The folder and the file's name: DJL looks for <name>.onnx in a model folder, and
            // warns (wrongly) about "a non-archive file" when handed the file itself.
            .optModelPath(file.toAbsolutePath().getParent())
            .optModelName(modelName(file))
            .optTranslator(new NoopTranslator());
    if (intraOpThreads > 0) {
      builder.optOption("intraOpNumThreads", Integer.toString(intraOpThreads));
    }
    Criteria<NDList, NDList> criteria = builder.build();
    try {
      return new OnnxRuntimeModel(file, criteria.loadModel(), spec, outputSize);
    } catch (ModelNotFoundException | MalformedModelException e) {
      throw new OnnxFileException(file, "ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  /** {@code seed.onnx} -> {@code seed}: the name DJL resolves to {@code seed.onnx}. */
  private static String modelName(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
  }

  public Path file() {
    return file;
  }

  /** The file's {@code metadata_props} as ONNX Runtime reports them (provenance). */
  public java.util.Map<String, String> metadata() {
    return model.getBlock().getCustomMetadata();
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    InferenceModel.requireSamples(input, inputs, n);
    return predict(scope -> scope.create(FloatBuffer.wrap(inputs), new ai.djl.ndarray.types.Shape(input.withBatch(n).dimsLong())), n);
  }

  /** A direct buffer is handed to ONNX Runtime as it is; see {@link InferenceModel#predict(java.nio.ByteBuffer, int)}. */
  @Override
  public float[] predict(java.nio.ByteBuffer inputs, int n) {
    InferenceModel.requireSamples(input, inputs, n);
    return predict(scope -> scope.create(inputs.slice().order(java.nio.ByteOrder.nativeOrder()),
        new ai.djl.ndarray.types.Shape(input.withBatch(n).dimsLong()), ai.djl.ndarray.types.DataType.FLOAT32), n);
  }

  private float[] predict(java.util.function.Function<NDManager, NDArray> inputIn, int n) {
    try (NDManager scope = model.getNDManager().newSubManager()) {
      NDArray x = inputIn.apply(scope);
      // The runtime attaches its outputs to the input's manager, so closing the scope frees them.
      NDList out = predictor.predict(new NDList(x));
      float[] y = out.singletonOrThrow().toFloatArray();
      if (y.length != (long) outputSize * n) {
        throw new IllegalStateException(
            file + ": ONNX Runtime returned " + y.length + " values for " + n + " samples, expected " + (long) outputSize * n);
      }
      return y;
    } catch (TranslateException e) {
      throw new IllegalStateException(file + ": ONNX Runtime inference failed: " + e.getMessage(), e);
    }
  }

  /** Token ids as an int64 {@code [n, length]} array. */
  @Override
  public float[] predictTokens(int[] tokens, int n, int length) {
    long[] wide = dev.rosetta.data.TokenRange.checkedIds(spec, tokens, n, length, "input");
    try (NDManager scope = model.getNDManager().newSubManager()) {
      NDArray x = scope.create(wide, new ai.djl.ndarray.types.Shape(n, length));
      float[] y = predictor.predict(new NDList(x)).singletonOrThrow().toFloatArray();
      if (y.length != (long) spec.outputSize(length) * n) {
        throw new IllegalStateException(
            file + ": ONNX Runtime returned " + y.length + " values for " + n + " sequences, expected " + (long) spec.outputSize(length) * n);
      }
      return y;
    } catch (TranslateException e) {
      throw new IllegalStateException(file + ": ONNX Runtime inference failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }
}
