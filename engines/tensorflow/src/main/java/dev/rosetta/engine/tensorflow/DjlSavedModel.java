package dev.rosetta.engine.tensorflow;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.tensorflow.engine.TfSymbolBlock;
import ai.djl.translate.NoopTranslator;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The DJL face of a TensorFlow model: a SavedModel exported to a temporary directory and loaded
 * back through DJL's TfEngine. Predictions run the serving signature on the session DJL opened,
 * through {@link TfSessionRunner} rather than DJL's per-call eager tensors. The directory is
 * deleted on close.
 */
final class DjlSavedModel implements InferenceModel {
  private final CheckedSpec spec;
  private final Path dir;
  private final ZooModel<NDList, NDList> model;
  private final TfSessionRunner runner;
  private final int threads;

  private DjlSavedModel(CheckedSpec spec, Path dir, ZooModel<NDList, NDList> model, int threads) {
    this.spec = spec;
    this.dir = dir;
    this.model = model;
    this.threads = threads;
    this.runner = new TfSessionRunner(
        ((TfSymbolBlock) model.getBlock()).getSavedModelBundle(),
        org.tensorflow.Signature.DEFAULT_KEY, SavedModelExport.INPUT, SavedModelExport.OUTPUT);
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
      ZooModel<NDList, NDList> model = criteria.loadModel();
      try {
        return new DjlSavedModel(spec, dir, model, threads);
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
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
    InferenceModel.requireSamples(spec.input(), inputs, n);
    return runner.run(inputs, spec.input().withBatch(n).dimsLong());
  }

  /** Token ids as an int64 {@code [n, length]} array into the SavedModel's open-length input. */
  @Override
  public float[] predictTokens(int[] tokens, int n, int length) {
    long[] wide = dev.rosetta.data.TokenRange.checkedIds(spec, tokens, n, length, "input");
    return runner.run(wide, new long[] {n, length});
  }

  @Override
  public int intraOpThreads() {
    return threads;
  }

  @Override
  public void close() {
    try {
      runner.close();
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
