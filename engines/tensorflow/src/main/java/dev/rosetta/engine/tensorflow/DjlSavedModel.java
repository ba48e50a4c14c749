package dev.rosetta.engine.tensorflow;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.tensorflow.engine.TfSymbolBlock;
import ai.djl.translate.NoopTranslator;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import java.util.stream.Stream;

/**
 * The DJL face of a TensorFlow model: a SavedModel exported to a temporary directory and loaded
 * back through DJL's TfEngine. Predictions run the serving signature on a session DJL opened,
 * through {@link TfSessionRunner} rather than DJL's per-call eager tensors. A session's
 * intra-op pool is fixed when it opens, and a call's best count depends on its size (on 2 cores,
 * fashion-cnn's batch 1 takes 5x longer on a 2-thread session, its batch of 256 runs 1.6x faster:
 * docs/performance.md "Thread policy"), so the model opens one session per count its calls ask
 * for, each when first needed; each holds its own copy of the weights. The directory is deleted
 * on close.
 */
final class DjlSavedModel implements InferenceModel {
  private final CheckedSpec spec;
  private final Path dir;
  private final IntUnaryOperator threadsForCall;
  /** The sessions opened so far, by intra-op thread count. */
  private final Map<Integer, Session> sessions = new TreeMap<>();
  private boolean closed;

  /** One DJL model of the SavedModel and the runner over its session. */
  private record Session(ZooModel<NDList, NDList> model, TfSessionRunner runner) {
    void close() {
      try {
        runner.close();
      } finally {
        model.close();
      }
    }
  }

  private DjlSavedModel(CheckedSpec spec, Path dir, IntUnaryOperator threadsForCall) {
    this.spec = spec;
    this.dir = dir;
    this.threadsForCall = threadsForCall;
  }

  /**
   * @param threadsForCall the intra-op threads of a call of n samples: the count of the session it
   *     runs on (passed as DJL's {@code ConfigProto} option; without it DJL would take
   *     TensorFlow's defaults, an inter-op pool and every core)
   */
  static DjlSavedModel open(CheckedSpec spec, WeightSet weights, IntUnaryOperator threadsForCall) throws IOException {
    TensorflowNatives.load();
    Path dir = Files.createTempDirectory("rosetta-savedmodel-");
    try {
      SavedModelExport.export(spec, weights, dir, SavedModelExport.fastestFor(spec));
      DjlSavedModel m = new DjlSavedModel(spec, dir, threadsForCall);
      // The session of a batch-1 call opens now, so a SavedModel DJL cannot load fails here.
      m.session(threadsForCall.applyAsInt(1));
      return m;
    } catch (IOException | RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  /** The session with {@code threads} intra-op threads, opened on first use. */
  private synchronized Session session(int threads) throws IOException {
    if (closed) {
      throw new IllegalStateException("the TensorFlow inference model of '" + spec.name() + "' is closed");
    }
    Session s = sessions.get(threads);
    if (s != null) {
      return s;
    }
    Criteria<NDList, NDList> criteria =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optEngine("TensorFlow")
            .optModelPath(dir)
            .optTranslator(new NoopTranslator())
            .optOption("ConfigProto", Base64.getEncoder().encodeToString(TfTensors.sessionConfig(threads).toByteArray()))
            .build();
    TensorflowNatives.djlEngine();
    ZooModel<NDList, NDList> model;
    try {
      model = criteria.loadModel();
    } catch (ModelNotFoundException | MalformedModelException e) {
      throw new IOException("DJL cannot load the SavedModel exported to " + dir, e);
    }
    try {
      s = new Session(model, new TfSessionRunner(((TfSymbolBlock) model.getBlock()).getSavedModelBundle(),
          org.tensorflow.Signature.DEFAULT_KEY, SavedModelExport.INPUT, SavedModelExport.OUTPUT));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    sessions.put(threads, s);
    return s;
  }

  private TfSessionRunner runnerFor(int n) {
    try {
      return session(threadsForCall.applyAsInt(n)).runner();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    InferenceModel.requireSamples(spec.input(), inputs, n);
    return runnerFor(n).run(inputs, spec.input().withBatch(n).dimsLong());
  }

  /** Copied once, into TensorFlow's input tensor; see {@link InferenceModel#predict(java.nio.ByteBuffer, int)}. */
  @Override
  public float[] predict(java.nio.ByteBuffer inputs, int n) {
    InferenceModel.requireSamples(spec.input(), inputs, n);
    return runnerFor(n).run(inputs, spec.input().withBatch(n).dimsLong());
  }

  /** Token ids as an int64 {@code [n, length]} array into the SavedModel's open-length input. */
  @Override
  public float[] predictTokens(int[] tokens, int n, int length) {
    long[] wide = dev.rosetta.data.TokenRange.checkedIds(spec, tokens, n, length, "input");
    return runnerFor(n).run(wide, new long[] {n, length});
  }

  /** The count of a call of the spec's batch size. */
  @Override
  public int intraOpThreads() {
    return intraOpThreads(spec.training().batchSize());
  }

  @Override
  public int intraOpThreads(int batch) {
    return threadsForCall.applyAsInt(batch);
  }

  /** How many sessions calls have opened so far (one per thread count). */
  synchronized int openSessions() {
    return sessions.size();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      RuntimeException first = null;
      for (Session s : sessions.values()) {
        try {
          s.close();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      sessions.clear();
      if (first != null) {
        throw first;
      }
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
