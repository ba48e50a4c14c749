package dev.rosetta.engine.onnxruntime;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.rosetta.converter.OnnxFileException;
import dev.rosetta.converter.OnnxInspector;
import dev.rosetta.converter.OnnxLowering;
import dev.rosetta.converter.OnnxSummary;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An exported model whose graph begins with the fitted preprocessing, run by ONNX Runtime's own
 * Java API on raw table rows: the numeric cells as float32 with NaN for a missing cell, and the
 * categorical cells as strings with {@code ""} for a missing one. This is the path a Java user of
 * the file takes; the statistics come from the file's own metadata, not from a checkpoint.
 */
public final class TabularOnnxModel implements AutoCloseable {
  /** Rows per ONNX Runtime call, to bound native memory on large tables. */
  static final int BATCH = 500;

  private final Path file;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Preprocessor preprocessor;
  private final int outputSize;

  private TabularOnnxModel(Path file, OrtEnvironment env, OrtSession session, Preprocessor preprocessor, int outputSize) {
    this.file = file;
    this.env = env;
    this.session = session;
    this.preprocessor = preprocessor;
    this.outputSize = outputSize;
  }

  /** Whether {@code file}'s metadata carries preprocessing statistics (it reads raw table rows). */
  public static boolean isTabular(Path file) throws IOException {
    return metadata(OnnxInspector.read(file)).containsKey(OnnxLowering.PREPROCESS);
  }

  /**
   * @throws OnnxFileException when the file has no preprocessing, or its inputs and output do not
   *     fit the spec and the statistics it carries
   */
  public static TabularOnnxModel load(Path file, CheckedSpec spec) throws IOException {
    ModelProto proto = OnnxInspector.read(file);
    String json = metadata(proto).get(OnnxLowering.PREPROCESS);
    if (json == null) {
      throw new OnnxFileException(file, "no preprocessing statistics in its metadata (" + OnnxLowering.PREPROCESS
          + "): it was exported from a spec without a preprocess section and reads model inputs, not table rows");
    }
    Preprocessor p = Preprocessor.fromJson(json, spec, file.toString());
    OnnxSummary s = OnnxInspector.summarize(file.toString(), proto);
    List<String> expected = new java.util.ArrayList<>();
    if (!p.numeric().isEmpty()) {
      expected.add(OnnxLowering.INPUT + " float [batch, " + p.numeric().size() + "]");
    }
    if (!p.categorical().isEmpty()) {
      expected.add(OnnxLowering.CATEGORICAL + " string [batch, " + p.categorical().size() + "]");
    }
    if (s.inputs().size() != expected.size() || s.outputs().size() != 1) {
      throw new OnnxFileException(file, "expected inputs " + expected + " and one output, found inputs " + s.inputs()
          + " and outputs " + s.outputs());
    }
    OrtEnvironment env = OrtSessionModel.environment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      return new TabularOnnxModel(file, env, env.createSession(file.toString(), options), p, spec.outputSize());
    } catch (OrtException e) {
      throw new OnnxFileException(file, "ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  private static Map<String, String> metadata(ModelProto proto) {
    Map<String, String> out = new HashMap<>();
    for (StringStringEntryProto e : proto.getMetadataPropsList()) {
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The statistics the file carries (and applies in its graph). */
  public Preprocessor preprocessor() {
    return preprocessor;
  }

  /** The model's outputs for raw rows, row-major, {@code rows.size() * outputSize} values. */
  public float[] predict(RawRows rows) {
    float[] out = new float[rows.size() * outputSize];
    for (int from = 0; from < rows.size(); from += BATCH) {
      int to = Math.min(rows.size(), from + BATCH);
      int[] index = java.util.stream.IntStream.range(from, to).toArray();
      float[] y = run(rows.select(index));
      System.arraycopy(y, 0, out, from * outputSize, y.length);
    }
    return out;
  }

  private float[] run(RawRows rows) {
    int n = rows.size();
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      if (rows.numericWidth() > 0) {
        inputs.put(OnnxLowering.INPUT, OnnxTensor.createTensor(env, FloatBuffer.wrap(rows.numeric()),
            new long[] {n, rows.numericWidth()}));
      }
      if (rows.categoricalWidth() > 0) {
        String[][] cells = new String[n][rows.categoricalWidth()];
        for (int r = 0; r < n; r++) {
          for (int c = 0; c < rows.categoricalWidth(); c++) {
            String v = rows.categorical(r, c);
            cells[r][c] = v == null ? "" : v;
          }
        }
        inputs.put(OnnxLowering.CATEGORICAL, OnnxTensor.createTensor(env, cells));
      }
      try (OrtSession.Result r = session.run(inputs)) {
        OnnxValue v = r.get(0);
        if (!(v instanceof OnnxTensor t)) {
          throw new IllegalStateException(file + ": output is not a tensor but " + v.getInfo());
        }
        FloatBuffer fb = t.getFloatBuffer();
        float[] y = new float[fb.remaining()];
        fb.get(y);
        if (y.length != n * outputSize) {
          throw new IllegalStateException(file + ": ONNX Runtime returned " + y.length + " values for " + n + " rows");
        }
        return y;
      }
    } catch (OrtException e) {
      throw new OnnxRunException(file + ": ONNX Runtime refused the rows (" + rows.source() + "): " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(file + ": closing the ONNX Runtime session failed", e);
    }
  }

  /** ONNX Runtime refused input rows, e.g. an unseen category under {@code unseen: "error"}: bad input. */
  public static final class OnnxRunException extends dev.rosetta.InputException {
    private static final long serialVersionUID = 1L;

    OnnxRunException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
