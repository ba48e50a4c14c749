package dev.rosetta.train;

import dev.rosetta.backend.TrainableModel;
import dev.rosetta.data.Batch;
import dev.rosetta.data.DataException;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.EpochBatches;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Training;
import java.util.ArrayList;
import java.util.List;

/**
 * The one engine-neutral training loop: the same batches in the same order for every backend,
 * a finite-loss check every step, evaluation at every epoch end, listeners for everything else
 * (progress, metrics, checkpoints).
 */
public final class TrainingLoop {
  private final CheckedSpec spec;
  private final Dataset train;
  private final Dataset test;
  private final List<TrainingListener> listeners = new ArrayList<>();
  private Dataset validation;
  private List<String> classes;
  private boolean trainMetrics;

  /**
   * @param train shaped to the spec input (see {@link Dataset#reshapedTo})
   * @param test may be null
   */
  public TrainingLoop(CheckedSpec spec, Dataset train, Dataset test) {
    requireBatchStatistics(spec, train.size());
    this.spec = spec;
    this.train = train;
    this.test = test;
  }

  /**
   * A {@code batch_norm} on a vector computes each feature's variance over the batch, which
   * needs two samples; PyTorch refuses a batch of one mid-epoch. Say so before step 1, with the
   * fix, rather than fail on the last batch of an epoch.
   *
   * @throws DataException when some batch would hold a single sample
   */
  public static void requireBatchStatistics(CheckedSpec spec, int trainSize) {
    int batch = spec.training().batchSize();
    int last = trainSize % batch;
    if (batch > 1 && last != 1 && trainSize != 1) {
      return;
    }
    for (LayerShape s : spec.shapes()) {
      if (s.layer() instanceof Layer.BatchNorm && s.input().rank() == 1) {
        throw new DataException(
            "batch_norm '" + s.layer().name() + "' needs at least 2 samples per training batch, but "
                + (batch == 1 ? "batch_size is 1" : trainSize + " training samples in batches of " + batch + " leave a last batch of 1")
                + "; choose another batch_size");
      }
    }
  }

  /**
   * Evaluates on {@code validation} after every epoch too (a split of the training data the
   * optimizer never sees), reported beside the test set.
   */
  public TrainingLoop optValidation(Dataset validation) {
    this.validation = validation;
    return this;
  }

  /** Class names for the epochs' metrics (default {@code 0..k-1}). */
  public TrainingLoop optClasses(List<String> classes) {
    this.classes = classes;
    return this;
  }

  /**
   * Also evaluates the training set at every epoch end, in evaluation mode with the epoch's
   * final weights, so training and validation figures compare like with like (an extra forward
   * pass over the training data per epoch).
   */
  public TrainingLoop optTrainMetrics(boolean on) {
    this.trainMetrics = on;
    return this;
  }

  public TrainingLoop addListener(TrainingListener listener) {
    listeners.add(listener);
    return this;
  }

  public TrainingResult run(TrainableModel model) {
    return run(model, 0);
  }

  /**
   * Trains for the spec's epochs.
   *
   * @param firstStep global steps already taken (0 for a fresh run); dropout masks continue from
   *     it
   * @throws TrainingDivergedException on a non-finite loss; listeners have seen every good epoch
   */
  public TrainingResult run(TrainableModel model, long firstStep) {
    Training t = spec.training();
    long step = firstStep;
    double trainLoss = Double.NaN;
    Evaluation eval = null;
    Evaluation val = null;
    double seconds = 0;
    long samples = 0;
    for (int epoch = 1; epoch <= t.epochs(); epoch++) {
      int[] order = BatchOrder.forEpoch(train.size(), t.seed(), epoch, t.shuffle());
      double lossSum = 0;
      long start = System.nanoTime();
      try (EpochBatches batches = new EpochBatches(train, order, t.batchSize())) {
        for (int b = 0; batches.hasNext(); b++) {
          Batch batch = batches.next();
          step++;
          float loss = model.trainStep(batch, step);
          if (!Float.isFinite(loss)) {
            throw new TrainingDivergedException(epoch, step, loss);
          }
          lossSum += (double) loss * batch.size();
          if (!listeners.isEmpty()) {
            var ev = new TrainingListener.StepEvent(epoch, step, loss, batch.size(), b, batches.count());
            for (TrainingListener l : listeners) {
              l.onStep(ev);
            }
          }
        }
      }
      double epochSeconds = (System.nanoTime() - start) / 1e9;
      seconds += epochSeconds;
      samples += train.size();
      trainLoss = lossSum / train.size();
      eval = test == null ? null : Evaluator.evaluate(model, spec, test, classes);
      val = validation == null ? null : Evaluator.evaluate(model, spec, validation, classes);
      Evaluation onTrain = trainMetrics ? Evaluator.evaluate(model, spec, train, classes) : null;
      var ev =
          new TrainingListener.EpochEvent(
              epoch, t.epochs(), step, trainLoss, eval, epochSeconds, train.size(), model, val, onTrain,
              spec.optimizer().learningRate());
      for (TrainingListener l : listeners) {
        l.onEpoch(ev);
      }
    }
    return new TrainingResult(t.epochs(), step - firstStep, trainLoss, eval, samples / seconds, val);
  }
}
