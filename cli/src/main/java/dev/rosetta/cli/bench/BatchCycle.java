package dev.rosetta.cli.bench;

import dev.rosetta.data.Batch;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.EpochBatches;
import dev.rosetta.spec.Training;

/**
 * Endless batches in training order: epoch after epoch, gathered ahead as the training loop
 * does. Two cycles over the same data and settings yield the same batches, so two loops timed
 * side by side do the same work.
 */
public final class BatchCycle implements AutoCloseable {
  private final Dataset data;
  private final Training training;
  private int epoch;
  private EpochBatches current;

  public BatchCycle(Dataset data, Training training) {
    this.data = data;
    this.training = training;
  }

  public Batch next() {
    if (current == null || !current.hasNext()) {
      close();
      epoch++;
      current = new EpochBatches(data, BatchOrder.forEpoch(data.size(), training.seed(), epoch, training.shuffle()), training.batchSize());
    }
    return current.next();
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
    }
  }
}
