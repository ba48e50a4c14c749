package dev.rosetta.backend;

import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.weights.WeightSet;

/**
 * A spec lowered onto one backend, holding its parameters and optimizer state in native memory.
 * Single-threaded; close it to free native memory.
 */
public interface TrainableModel extends InferenceModel {

  CheckedSpec spec();

  /** The backend's short name. */
  String backend();

  /**
   * One optimizer step on the batch.
   *
   * @param step the 1-based global optimizer step; with the spec seed it fixes dropout masks
   * @return the batch's mean loss, computed before the update
   */
  float trainStep(Batch batch, long step);

  /**
   * Gradients of the mean loss on the batch at the current weights, canonical layout, without
   * changing anything. For parity checks.
   */
  WeightSet gradients(Batch batch, long step);

  /**
   * The training-mode forward output on a batch (dropout masks of {@code step}, batch norm on
   * the batch's statistics), row-major, changing nothing: no update, running statistics left as
   * they were. For tests and parity probes of the training graph.
   */
  float[] trainingOutput(Batch batch, long step);

  /** Current parameters and buffers, canonical layout, copied out of native memory. */
  WeightSet weights();

  /**
   * Replaces every parameter and buffer with {@code weights} (canonical layout); optimizer
   * state and the step count are kept.
   *
   * @throws dev.rosetta.weights.WeightSet.WeightMismatchException when they do not fit the spec
   */
  void setWeights(WeightSet weights);

  /** The intra-op threads this model's kernels use (never 0: the backend's choice, resolved). */
  int intraOpThreads();

  /**
   * The learning rate of the following steps (a schedule's value); each layer's multiplier still
   * applies. It starts at the optimizer's {@code learning_rate}.
   */
  void setLearningRate(double learningRate);

  /** The optimizer's state in backend-neutral form, for checkpoints that resume exactly. */
  OptimizerState optimizerState();

  /**
   * Restores optimizer state (from either backend).
   *
   * @throws IllegalArgumentException when its tensors do not fit this model's parameters
   */
  void loadOptimizerState(OptimizerState state);
}
