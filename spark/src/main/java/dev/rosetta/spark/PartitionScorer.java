package dev.rosetta.spark;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.rosetta.engine.onnxruntime.OrtSessions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.TaskCompletionListener;

/**
 * Scores one partition: one ONNX Runtime session per task, made from the broadcast model bytes
 * and closed when the task ends (or its rows run out). Rows are read in Spark's internal form
 * and written into one direct buffer per input, which ONNX Runtime reads without a copy; outputs
 * go back as primitive arrays. Nothing on this path boxes a value. Each output row is the input
 * row (copied: Spark reuses the rows it hands out) joined with the new columns.
 */
final class PartitionScorer implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<byte[]> model;
  private final ScoringPlan plan;

  PartitionScorer(Broadcast<byte[]> model, ScoringPlan plan) {
    this.model = model;
    this.plan = plan;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) throws OrtException {
    Batches b = new Batches(rows, OrtSessions.open(model.value(), plan.threads()), plan);
    TaskContext task = TaskContext.get();
    if (task != null) {
      task.addTaskCompletionListener((TaskCompletionListener) t -> b.close());
    }
    return b;
  }

  /** The scored rows of a partition, one batch at a time. */
  private static final class Batches implements Iterator<InternalRow>, AutoCloseable {
    private final Iterator<InternalRow> in;
    private final OrtSession session;
    private final OrtEnvironment env = OrtSessions.environment();
    private final ScoringPlan plan;
    private final Set<String> wanted = new LinkedHashSet<>();
    private final FloatBuffer[] buffers;
    private final String partition;
    private final InternalRow[] batch;
    private final InternalRow[] scored;
    private int count;
    private int next;
    private long seen;
    private boolean closed;

    Batches(Iterator<InternalRow> in, OrtSession session, ScoringPlan plan) {
      this.in = in;
      this.session = session;
      this.plan = plan;
      plan.outputs().forEach(o -> wanted.add(o.tensor().name()));
      buffers = new FloatBuffer[plan.feeds().size()];
      for (int i = 0; i < buffers.length; i++) {
        int floats = plan.feeds().get(i).bufferFloats(plan.batchSize());
        buffers[i] = floats == 0 ? null
            : ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
      }
      batch = new InternalRow[plan.batchSize()];
      scored = new InternalRow[plan.batchSize()];
      TaskContext task = TaskContext.get();
      partition = task == null ? "partition ?" : "partition " + task.partitionId();
    }

    @Override
    public boolean hasNext() {
      if (next < count) {
        return true;
      }
      if (closed || !in.hasNext()) {
        close();
        return false;
      }
      score();
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      InternalRow r = scored[next];
      scored[next++] = null;
      return r;
    }

    private void score() {
      int n = 0;
      while (n < batch.length && in.hasNext()) {
        batch[n++] = in.next().copy();
      }
      Map<String, OnnxTensor> inputs = new HashMap<>();
      try {
        for (int i = 0; i < buffers.length; i++) {
          Feed f = plan.feeds().get(i);
          inputs.put(f.tensor().name(), f.tensor(env, batch, n, buffers[i], partition, seen + 1));
        }
        try (OrtSession.Result result = session.run(inputs, wanted)) {
          float[][] outs = new float[plan.outputs().size()][];
          for (int k = 0; k < outs.length; k++) {
            ScoringPlan.Output o = plan.outputs().get(k);
            outs[k] = floats(result, o, n);
          }
          for (int r = 0; r < n; r++) {
            scored[r] = new JoinedRow(batch[r], added(outs, r));
            batch[r] = null;
          }
        }
      } catch (OrtException e) {
        throw new ScoringException(plan.source() + ": ONNX Runtime failed on rows " + (seen + 1) + ".." + (seen + n) + " of "
            + partition + ": " + e.getMessage(), e);
      } finally {
        inputs.values().forEach(OnnxTensor::close);
      }
      seen += n;
      count = n;
      next = 0;
    }

    private float[] floats(OrtSession.Result result, ScoringPlan.Output o, int n) {
      OnnxValue v = result.get(o.tensor().name()).orElseThrow();
      if (!(v instanceof OnnxTensor t) || t.getFloatBuffer() == null) {
        throw new ScoringException(plan.source() + ": output " + o.tensor() + " is not a float tensor (" + v.getInfo() + ")");
      }
      FloatBuffer fb = t.getFloatBuffer();
      if (fb.remaining() != (long) n * o.width()) {
        throw new ScoringException(plan.source() + ": output " + o.tensor() + " has " + fb.remaining() + " values for " + n
            + " rows, expected " + o.width() + " per row");
      }
      float[] y = new float[fb.remaining()];
      fb.get(y);
      return y;
    }

    /** The new columns of row {@code r}: raw outputs, then prediction, probabilities, class name. */
    private InternalRow added(float[][] outs, int r) {
      Object[] values = new Object[plan.added()];
      int c = 0;
      for (int k = 0; k < outs.length; k++) {
        int w = plan.outputs().get(k).width();
        values[c++] = UnsafeArrayData.fromPrimitiveArray(outs[k], Platform.FLOAT_ARRAY_OFFSET + r * w * Float.BYTES, w, Float.BYTES);
      }
      if (plan.classifies()) {
        int w = plan.outputs().get(0).width();
        int off = r * w;
        float[] y = outs[0];
        int best = 0;
        for (int i = 1; i < w; i++) {
          if (y[off + i] > y[off + best]) {
            best = i;
          }
        }
        if (plan.predictionCol() != null) {
          values[c++] = (double) best;
        }
        if (plan.probabilityCol() != null) {
          values[c++] = UnsafeArrayData.fromPrimitiveArray(plan.logits() ? softmax(y, off, w) : java.util.Arrays.copyOfRange(y, off, off + w));
        }
        if (plan.labelCol() != null) {
          values[c++] = best < plan.classes().size() ? UTF8String.fromString(plan.classes().get(best)) : null;
        }
      }
      return new GenericInternalRow(values);
    }

    /** Softmax in double over one row's logits, shifted by the maximum. */
    static float[] softmax(float[] y, int off, int w) {
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < w; i++) {
        max = Math.max(max, y[off + i]);
      }
      double[] e = new double[w];
      double sum = 0;
      for (int i = 0; i < w; i++) {
        e[i] = Math.exp(y[off + i] - max);
        sum += e[i];
      }
      float[] p = new float[w];
      for (int i = 0; i < w; i++) {
        p[i] = (float) (e[i] / sum);
      }
      return p;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        try {
          session.close();
        } catch (OrtException e) {
          throw new IllegalStateException(plan.source() + ": closing the ONNX Runtime session failed", e);
        }
      }
    }
  }
}
