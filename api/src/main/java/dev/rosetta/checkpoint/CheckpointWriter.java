package dev.rosetta.checkpoint;

import dev.rosetta.backend.Backend;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.train.TrainingListener;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves a checkpoint at every epoch end, atomically, so a run that diverges or is killed keeps
 * the last good epoch; with the optimizer and training state, so the run can resume from it.
 * When early stopping's monitor improves, the epoch's weights also go to {@code
 * best.safetensors}.
 */
public final class CheckpointWriter implements TrainingListener {
  private final Path file;
  private final CheckedSpec spec;
  private final Backend backend;
  private final Preprocessor preprocessor;
  private final Vocabulary vocabulary;
  private int savedEpoch;

  public CheckpointWriter(Path file, CheckedSpec spec, Backend backend) {
    this(file, spec, backend, null, null);
  }

  /** @param preprocessor the fitted preprocessing saved with every checkpoint, or null */
  public CheckpointWriter(Path file, CheckedSpec spec, Backend backend, Preprocessor preprocessor) {
    this(file, spec, backend, preprocessor, null);
  }

  /**
   * @param preprocessor the fitted preprocessing saved with every checkpoint, or null
   * @param vocabulary stored with every checkpoint of a model trained on text, or null
   */
  public CheckpointWriter(Path file, CheckedSpec spec, Backend backend, Preprocessor preprocessor, Vocabulary vocabulary) {
    this.file = file;
    this.spec = spec;
    this.backend = backend;
    this.preprocessor = preprocessor;
    this.vocabulary = vocabulary;
  }

  @Override
  public void onEpoch(EpochEvent e) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("train_loss", e.trainLoss());
    if (e.test() != null) {
      metrics.put("test_loss", e.test().loss());
      metrics.put("test_accuracy", e.test().accuracy());
    }
    if (e.validation() != null) {
      metrics.put("val_loss", e.validation().loss());
      metrics.put("val_accuracy", e.validation().accuracy());
    }
    Provenance p = new Provenance(backend.name(), backend.versions(), spec.training().seed(), e.epoch(), e.step(), metrics);
    WeightSet weights = e.model().weights();
    try {
      Checkpoint.save(file, spec, weights, p, preprocessor, vocabulary, e.model().optimizerState(), e.state());
      if (e.improved()) {
        Checkpoint.save(best(), spec, weights, p, preprocessor, vocabulary, null, null);
      }
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write checkpoint " + file, ex);
    }
    savedEpoch = e.epoch();
  }

  /** {@code best.safetensors} beside the checkpoint: the weights of the best epoch so far. */
  public Path best() {
    return file.resolveSibling(BEST);
  }

  /** The file name of the best epoch's weights. */
  public static final String BEST = "best.safetensors";

  /** The last epoch saved, 0 if none. */
  public int savedEpoch() {
    return savedEpoch;
  }

  public Path file() {
    return file;
  }
}
