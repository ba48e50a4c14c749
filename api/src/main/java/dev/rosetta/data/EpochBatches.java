package dev.rosetta.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The batches of one epoch, in order, gathered ahead of use on a background thread so that
 * copying samples overlaps the backend's step (as a DataLoader worker does). The order, and so
 * every number, is the same as gathering on the caller's thread.
 */
public final class EpochBatches implements Iterator<Batch>, AutoCloseable {
  private static final int AHEAD = 3;
  private static final Batch END = new Batch(null, null, null, null, 0);

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD);
  private final Thread worker;
  private final int count;
  private int taken;

  public EpochBatches(Dataset data, int[] order, int batchSize) {
    this(data, order, batchSize, null, 0);
  }

  /**
   * @param augmenter applied to every batch (on the gathering thread), or null
   * @param stepsBefore optimizer steps taken before this epoch: batch {@code b} (0-based) is
   *     step {@code stepsBefore + b + 1}, which keys its augmentation
   */
  public EpochBatches(Dataset data, int[] order, int batchSize, Augmenter augmenter, long stepsBefore) {
    this.count = BatchOrder.batchCount(data.size(), batchSize);
    this.worker =
        new Thread(
            () -> {
              try {
                long step = stepsBefore;
                for (int from = 0; from < data.size(); from += batchSize) {
                  Batch b = data.batch(order, from, Math.min(data.size(), from + batchSize));
                  step++;
                  queue.put(augmenter == null ? b : augmenter.apply(b, step));
                }
                queue.put(END);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException | Error e) {
                queue.offer(e);
              }
            },
            "rosetta-batches");
    worker.setDaemon(true);
    worker.start();
  }

  /** Batches in this epoch. */
  public int count() {
    return count;
  }

  @Override
  public boolean hasNext() {
    return taken < count;
  }

  @Override
  public Batch next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Object o;
    try {
      o = queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a batch", e);
    }
    if (o instanceof RuntimeException e) {
      throw e;
    }
    if (o instanceof Error e) {
      throw e;
    }
    taken++;
    return (Batch) o;
  }

  @Override
  public void close() {
    worker.interrupt();
  }
}
