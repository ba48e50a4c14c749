package dev.rosetta.engine.tensorflow;

import ai.djl.tensorflow.engine.SavedModelBundle;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.TF_Tensor;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Calls one input → one output signature of a SavedModel that DJL's TfEngine loaded, on the
 * session DJL opened, through TensorFlow's C API. DJL's own forward pass wraps each input and
 * output in an eager tensor handle and allocates its run arguments again on every call, which
 * costs about 13 µs a call: a third of a batch-1 prediction of the seed MLP
 * (docs/performance.md, "Inference"). Here the run arguments are made once, the input is written
 * straight into a TensorFlow tensor that is kept while the batch shape stays the same, and the
 * output is copied out and freed. Calls are serialized. The session belongs to DJL's bundle:
 * close this runner before the model.
 */
final class TfSessionRunner implements AutoCloseable {
  private final TF_Session session;
  private final TF_Output input = new TF_Output(1);
  private final TF_Output output = new TF_Output(1);
  private final PointerPointer<TF_Tensor> inputValues = new PointerPointer<>(1);
  private final PointerPointer<TF_Tensor> outputValues = new PointerPointer<>(1);
  private final TF_Status status = TF_Status.newStatus();
  /** The input tensor of the last call, kept for the next call of the same type and shape. */
  private TF_Tensor fed;
  private int fedType;
  private long[] fedDims = {};
  private boolean closed;

  /**
   * @param signature the signature whose {@code inputKey} is fed and {@code outputKey} fetched
   */
  TfSessionRunner(SavedModelBundle bundle, String signature, String inputKey, String outputKey) {
    SignatureDef def = bundle.getMetaGraphDef().getSignatureDefOrThrow(signature);
    this.session = bundle.getSession();
    point(input, bundle.getGraph(), def.getInputsOrThrow(inputKey), signature + " input " + inputKey);
    point(output, bundle.getGraph(), def.getOutputsOrThrow(outputKey), signature + " output " + outputKey);
  }

  /** Runs float32 {@code values} shaped {@code dims}; returns the float32 output's values. */
  synchronized float[] run(float[] values, long[] dims) {
    TF_Tensor t = fed(tensorflow.TF_FLOAT, dims, (long) Float.BYTES * values.length);
    new FloatPointer(tensorflow.TF_TensorData(t)).capacity(values.length).put(values);
    return runFed();
  }

  /**
   * Runs float32 {@code values} (native order, position to limit, which is left as it is) shaped
   * {@code dims}: one copy into TensorFlow's tensor.
   */
  synchronized float[] run(java.nio.ByteBuffer values, long[] dims) {
    TF_Tensor t = fed(tensorflow.TF_FLOAT, dims, values.remaining());
    new BytePointer(tensorflow.TF_TensorData(t)).capacity(values.remaining()).asBuffer().put(values.duplicate());
    return runFed();
  }

  /** Runs int64 {@code values} shaped {@code dims}; returns the float32 output's values. */
  synchronized float[] run(long[] values, long[] dims) {
    TF_Tensor t = fed(tensorflow.TF_INT64, dims, (long) Long.BYTES * values.length);
    new LongPointer(tensorflow.TF_TensorData(t)).capacity(values.length).put(values);
    return runFed();
  }

  private float[] runFed() {
    inputValues.put(0, fed);
    outputValues.put(0, (Pointer) null);
    tensorflow.TF_SessionRun(
        session, null, input, inputValues, 1, output, outputValues, 1, null, 0, null, status);
    status.throwExceptionIfNotOK();
    TF_Tensor out = outputValues.get(TF_Tensor.class, 0);
    try {
      if (tensorflow.TF_TensorType(out) != tensorflow.TF_FLOAT) {
        throw new IllegalStateException("the SavedModel's output is not float32 (TF type " + tensorflow.TF_TensorType(out) + ")");
      }
      int n = Math.toIntExact(tensorflow.TF_TensorByteSize(out) / Float.BYTES);
      float[] values = new float[n];
      new FloatPointer(tensorflow.TF_TensorData(out)).capacity(n).get(values);
      return values;
    } finally {
      tensorflow.TF_DeleteTensor(out);
    }
  }

  /** The input tensor for this call: the last one if type and shape match, else a new one. */
  private TF_Tensor fed(int type, long[] dims, long bytes) {
    if (closed) {
      throw new IllegalStateException("the TensorFlow inference model is closed");
    }
    if (fed == null || fedType != type || !Arrays.equals(fedDims, dims)) {
      release();
      fed = tensorflow.TF_AllocateTensor(type, dims, dims.length, bytes);
      if (fed == null) {
        throw new IllegalStateException("TensorFlow could not allocate an input of shape " + Arrays.toString(dims));
      }
      fedType = type;
      fedDims = dims.clone();
    }
    return fed;
  }

  private void release() {
    if (fed != null) {
      tensorflow.TF_DeleteTensor(fed);
      fed = null;
    }
  }

  /** Points {@code at} at the graph output a signature entry names ({@code op:index}). */
  private static void point(TF_Output at, TF_Graph graph, TensorInfo info, String what) {
    String name = info.getName();
    int colon = name.lastIndexOf(':');
    String op = colon < 0 ? name : name.substring(0, colon);
    int index = colon < 0 ? 0 : Integer.parseInt(name.substring(colon + 1));
    TF_Operation operation = tensorflow.TF_GraphOperationByName(graph, op);
    if (operation == null || operation.isNull()) {
      throw new IllegalStateException("the SavedModel's graph has no op '" + op + "' (" + what + ")");
    }
    at.oper(operation).index(index);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    release();
    status.close();
    input.close();
    output.close();
    inputValues.close();
    outputValues.close();
  }
}
