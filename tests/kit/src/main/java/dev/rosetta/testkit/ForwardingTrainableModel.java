package dev.rosetta.testkit;

import dev.rosetta.backend.OptimizerState;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.weights.WeightSet;

/**
 * A model that hands every call to another; tests override the one call they alter (a loss
 * that drifts late, a step that fails).
 */
public abstract class ForwardingTrainableModel implements TrainableModel {
  protected final TrainableModel delegate;

  protected ForwardingTrainableModel(TrainableModel delegate) {
    this.delegate = delegate;
  }

  @Override
  public CheckedSpec spec() {
    return delegate.spec();
  }

  @Override
  public String backend() {
    return delegate.backend();
  }

  @Override
  public float trainStep(Batch batch, long step) {
    return delegate.trainStep(batch, step);
  }

  @Override
  public WeightSet gradients(Batch batch, long step) {
    return delegate.gradients(batch, step);
  }

  @Override
  public float[] trainingOutput(Batch batch, long step) {
    return delegate.trainingOutput(batch, step);
  }

  @Override
  public WeightSet weights() {
    return delegate.weights();
  }

  @Override
  public void setWeights(WeightSet weights) {
    delegate.setWeights(weights);
  }

  @Override
  public int intraOpThreads() {
    return delegate.intraOpThreads();
  }

  @Override
  public void setLearningRate(double learningRate) {
    delegate.setLearningRate(learningRate);
  }

  @Override
  public OptimizerState optimizerState() {
    return delegate.optimizerState();
  }

  @Override
  public void loadOptimizerState(OptimizerState state) {
    delegate.loadOptimizerState(state);
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    return delegate.predict(inputs, n);
  }

  @Override
  public float[] predict(java.nio.ByteBuffer inputs, int n) {
    return delegate.predict(inputs, n);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
