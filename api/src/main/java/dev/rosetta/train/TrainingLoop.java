package dev.rosetta.train;

import dev.rosetta.backend.NativeHeap;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.data.Batch;
import dev.rosetta.data.DataException;
import dev.rosetta.data.Augmenter;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.EpochBatches;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Training;
import dev.rosetta.weights.WeightSet;
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
  private WeightSet best;

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
    return run(model, TrainingState.START);
  }

  /**
   * Trains for the spec's epochs, numbering steps from {@code firstStep} (a fine-tuning run that
   * starts from a checkpoint keeps counting its steps, so its dropout masks are new ones).
   */
  public TrainingResult run(TrainableModel model, long firstStep) {
    return run(model, new TrainingState(0, firstStep, null, null, false));
  }

  /**
   * The best weights so far of a run being resumed (its {@code best.safetensors}), for {@code
   * restore_best_weights}.
   */
  public TrainingLoop optBestWeights(WeightSet best) {
    this.best = best;
    return this;
  }

  /**
   * Trains from {@code from} until the spec's {@code epochs} in total, or until early stopping
   * ends the run: resumes exactly when {@code from} and the model's weights and optimizer state
   * come from the same checkpoint. Each step runs at the schedule's rate, on the batch augmented
   * for its step number.
   *
   * @throws TrainingDivergedException on a non-finite loss; listeners have seen every good epoch
   */
  public TrainingResult run(TrainableModel model, TrainingState from) {
    Training t = spec.training();
    LearningRates rates = new LearningRates(spec, train.size());
    if (from.schedule() != null) {
      rates.restore(from.schedule());
    }
    EarlyStopper stopper = t.earlyStopping() == null ? null : new EarlyStopper(t.earlyStopping());
    if (stopper != null && from.stopping() != null) {
      stopper.restore(from.stopping());
    }
    boolean restoreBest = stopper != null && t.earlyStopping().restoreBestWeights();
    Augmenter augmenter = Augmenter.of(t);
    long step = from.step();
    int epoch = from.epoch();
    boolean stopped = from.stopped();
    double trainLoss = Double.NaN;
    Evaluation eval = null;
    Evaluation val = null;
    double seconds = 0;
    long samples = 0;
    double rate = Double.NaN;
    while (epoch < t.epochs() && !stopped) {
      epoch++;
      int[] order = BatchOrder.forEpoch(train.size(), t.seed(), epoch, t.shuffle());
      double lossSum = 0;
      long start = System.nanoTime();
      try (EpochBatches batches = new EpochBatches(train, order, t.batchSize(), augmenter, step)) {
        for (int b = 0; batches.hasNext(); b++) {
          Batch batch = batches.next();
          step++;
          double r = rates.rate(epoch, step);
          if (r != rate) {
            model.setLearningRate(r);
            rate = r;
          }
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
      if (rates.monitor() != null) {
        rates.endEpoch(Figures.value(rates.monitor(), trainLoss, val, eval));
      }
      boolean improved = false;
      if (stopper != null) {
        EarlyStopper.Verdict v = stopper.onEpoch(epoch, Figures.value(stopper.spec().monitor(), trainLoss, val, eval));
        improved = v == EarlyStopper.Verdict.IMPROVED;
        stopped = v == EarlyStopper.Verdict.STOP;
        if (improved && restoreBest) {
          best = model.weights();
        }
      }
      // Freed tensor memory the C allocator kept goes back to the system once per epoch, so
      // resident memory follows the memory in use instead of the allocator's high-water mark.
      NativeHeap.release();
      TrainingState state = new TrainingState(
          epoch, step, t.schedule() == null ? null : rates.state(), stopper == null ? null : stopper.state(), stopped);
      var ev =
          new TrainingListener.EpochEvent(
              epoch, t.epochs(), step, trainLoss, eval, epochSeconds, train.size(), model, val, onTrain, rate, state,
              improved);
      for (TrainingListener l : listeners) {
        l.onEpoch(ev);
      }
    }
    int bestEpoch = stopper == null ? 0 : stopper.state().bestEpoch();
    boolean restored = false;
    if (restoreBest && best != null && bestEpoch != epoch) {
      // Keras's restore_best_weights: the model ends with the best epoch's weights. The last
      // checkpoint keeps the last epoch's, from which the run can resume.
      model.setWeights(best);
      restored = true;
    }
    return new TrainingResult(
        epoch, step - from.step(), trainLoss, eval, seconds == 0 ? Double.NaN : samples / seconds, val, stopped, bestEpoch,
        restored);
  }
}
