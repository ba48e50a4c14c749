package dev.rosetta.engine.tensorflow;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The DJL face of a TensorFlow model: a SavedModel exported to a temporary directory and loaded
 * back through DJL's TfEngine, predicting through a DJL {@link Predictor}. The directory is
 * deleted on close.
 */
final class DjlSavedModel implements InferenceModel {
  private final CheckedSpec spec;
  private final Path dir;
  private final ZooModel<NDList, NDList> model;
  private final Predictor<NDList, NDList> predictor;
  private ByteBuffer staging;
  private final int threads;

  private DjlSavedModel(CheckedSpec spec, Path dir, ZooModel<NDList, NDList> model, int threads) {
    this.spec = spec;
    this.dir = dir;
    this.model = model;
    this.threads = threads;
    this.predictor = model.newPredictor();
  }

  /**
   * @param threads intra-op threads of the session DJL opens (passed as its {@code ConfigProto}
   *     option; without it DJL would take TensorFlow's defaults, an inter-op pool and every core)
   */
  static DjlSavedModel open(CheckedSpec spec, WeightSet weights, int threads) throws IOException {
    TensorflowNatives.load();
    Path dir = Files.createTempDirectory("rosetta-savedmodel-");
    try {
      SavedModelExport.export(spec, weights, dir, SavedModelExport.fastestFor(spec));
      Criteria<NDList, NDList> criteria =
          Criteria.builder()
              .setTypes(NDList.class, NDList.class)
              .optEngine("TensorFlow")
              .optModelPath(dir)
              .optTranslator(new NoopTranslator())
              .optOption("ConfigProto", Base64.getEncoder().encodeToString(TfTensors.sessionConfig(threads).toByteArray()))
              .build();
      TensorflowNatives.djlEngine();
      return new DjlSavedModel(spec, dir, criteria.loadModel(), threads);
    } catch (IOException | RuntimeException e) {
      deleteTree(dir);
      throw e;
    } catch (ModelNotFoundException | MalformedModelException e) {
      deleteTree(dir);
      throw new IOException("DJL cannot load the SavedModel exported to " + dir, e);
    }
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    try (NDManager scope = model.getNDManager().newSubManager()) {
      NDArray x =
          scope.create(
              staged(inputs), new ai.djl.ndarray.types.Shape(spec.input().withBatch(n).dimsLong()),
              DataType.FLOAT32);
      return predictor.predict(new NDList(x)).singletonOrThrow().toFloatArray();
    } catch (TranslateException e) {
      throw new IllegalStateException("DJL TensorFlow prediction failed", e);
    }
  }

  /** Token ids as an int64 {@code [n, length]} array into the SavedModel's open-length input. */
  @Override
  public float[] predictTokens(int[] tokens, int n, int length) {
    long[] wide = dev.rosetta.data.TokenRange.checkedIds(spec, tokens, n, length, "input");
    try (NDManager scope = model.getNDManager().newSubManager()) {
      NDArray x = scope.create(wide, new ai.djl.ndarray.types.Shape(n, length));
      return predictor.predict(new NDList(x)).singletonOrThrow().toFloatArray();
    } catch (TranslateException e) {
      throw new IllegalStateException("DJL TensorFlow prediction failed", e);
    }
  }

  /**
   * The inputs in a direct buffer this model owns and reuses. Given a heap array, DJL's TF
   * manager stages it in a fresh direct buffer per call that only the garbage collector frees:
   * resident memory then grows by the input size per call until a GC runs.
   */
  private ByteBuffer staged(float[] inputs) {
    int bytes = inputs.length * Float.BYTES;
    if (staging == null || staging.capacity() < bytes) {
      staging = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
    staging.clear();
    staging.asFloatBuffer().put(inputs);
    staging.limit(bytes);
    return staging;
  }

  @Override
  public int intraOpThreads() {
    return threads;
  }

  @Override
  public void close() {
    try {
      predictor.close();
      model.close();
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
