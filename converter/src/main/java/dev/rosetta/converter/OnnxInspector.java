package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads an ONNX file and says what is in it, or in words what is wrong with it. */
public final class OnnxInspector {
  /**
   * Every ONNX writer serialises ModelProto fields in field-number order, so a model starts with
   * field 1 (ir_version, a varint): tag byte 0x08. A file starting otherwise is not ONNX at all;
   * one starting so that fails to parse was cut short or damaged.
   */
  private static final byte IR_VERSION_TAG = 0x08;

  private OnnxInspector() {}

  public static OnnxSummary inspect(Path file) throws OnnxFileException {
    return summarize(file.toString(), read(file));
  }

  /**
   * Reads and structurally checks a model.
   *
   * @throws OnnxFileException for a missing or unreadable file, a file that is not ONNX, or a
   *     truncated or corrupt one; the message names the file and the problem
   */
  public static ModelProto read(Path file) throws OnnxFileException {
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        throw new OnnxFileException(file, "is a directory, not an ONNX file");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new OnnxFileException(file, "file not found", e);
    } catch (OnnxFileException e) {
      throw e;
    } catch (IOException e) {
      throw new OnnxFileException(file, "cannot read file: " + e.getMessage(), e);
    }
    if (bytes.length == 0) {
      throw new OnnxFileException(file, "file is empty, not an ONNX model");
    }
    if (bytes[0] != IR_VERSION_TAG) {
      throw new OnnxFileException(file, "not an ONNX model" + guessWhatItIs(bytes));
    }
    ModelProto model;
    try {
      model = ModelProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new OnnxFileException(
          file, "truncated or corrupt ONNX file (" + bytes.length + " bytes): " + e.getMessage(), e);
    }
    String problem = structuralProblem(model);
    if (problem != null) {
      throw new OnnxFileException(file, problem);
    }
    return model;
  }

  /** Why a parsed message is not a usable model, or null. */
  private static String structuralProblem(ModelProto m) {
    if (m.getIrVersion() <= 0) {
      return "not an ONNX model (no IR version)";
    }
    if (!m.hasGraph()) {
      return "incomplete ONNX model, truncated? (no graph)";
    }
    if (m.getOpsetImportCount() == 0) {
      return "incomplete ONNX model, truncated? (no opset_import after the graph)";
    }
    GraphProto g = m.getGraph();
    if (g.getOutputCount() == 0) {
      return "incomplete ONNX model, truncated? (graph has no outputs)";
    }
    for (TensorProto t : g.getInitializerList()) {
      if (!t.getRawData().isEmpty()) {
        int width = elementBytes(t.getDataType());
        long want = elements(t) * width;
        if (width > 0 && t.getRawData().size() != want) {
          return "corrupt ONNX model: initializer '" + t.getName() + "' has " + t.getRawData().size()
              + " bytes of data but its shape " + t.getDimsList() + " needs " + want;
        }
      }
    }
    return null;
  }

  private static String guessWhatItIs(byte[] bytes) {
    String head = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.ISO_8859_1).stripLeading();
    if (head.startsWith("{")) {
      return " (it looks like JSON: a spec file?)";
    }
    if (bytes.length >= 9) {
      long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      if (bytes[8] == '{' && headerLength > 0 && headerLength < bytes.length) {
        return " (it looks like a safetensors file: a checkpoint?)";
      }
    }
    return " (an ONNX file is a protobuf ModelProto starting with its IR version)";
  }

  /** The summary of an ONNX model already read; {@code file} names it in messages. */
  public static OnnxSummary summarize(String file, ModelProto m) {
    GraphProto g = m.getGraph();
    Map<String, Long> opsets = new LinkedHashMap<>();
    long opset = 0;
    for (OperatorSetIdProto o : m.getOpsetImportList()) {
      boolean standard = o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx");
      opsets.put(standard ? "ai.onnx" : o.getDomain(), o.getVersion());
      if (standard) {
        opset = o.getVersion();
      }
    }
    Map<String, Integer> ops = new LinkedHashMap<>();
    for (NodeProto n : g.getNodeList()) {
      String op = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType() : n.getDomain() + "." + n.getOpType();
      ops.merge(op, 1, Integer::sum);
    }
    // BatchNormalization's inputs 3 and 4 (input_mean, input_var) are statistics, not trained
    // parameters; the operator says so, whatever the tensors are called.
    Set<String> statistics = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      if (n.getOpType().equals("BatchNormalization") && (n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
        statistics.addAll(n.getInputList().subList(Math.min(3, n.getInputCount()), n.getInputCount()));
      }
    }
    long params = 0;
    long stats = 0;
    for (TensorProto t : g.getInitializerList()) {
      params += elements(t);
      if (statistics.contains(t.getName())) {
        stats += elements(t);
      }
    }
    Set<String> initializerNames = new HashSet<>();
    g.getInitializerList().forEach(t -> initializerNames.add(t.getName()));
    List<OnnxSummary.Value> inputs = new ArrayList<>();
    for (ValueInfoProto v : g.getInputList()) {
      // Before IR 4 initialisers were also listed as inputs; they are not inputs a caller feeds.
      if (!initializerNames.contains(v.getName())) {
        inputs.add(value(v));
      }
    }
    List<OnnxSummary.Value> outputs = g.getOutputList().stream().map(OnnxInspector::value).toList();
    Map<String, String> meta = new LinkedHashMap<>();
    for (StringStringEntryProto e : m.getMetadataPropsList()) {
      meta.put(e.getKey(), e.getValue());
    }
    return new OnnxSummary(
        file, m.getIrVersion(), opset, opsets, m.getProducerName(), m.getProducerVersion(),
        g.getName(), inputs, outputs, ops, g.getNodeCount(), g.getInitializerCount(), params, stats, meta);
  }

  static OnnxSummary.Value value(ValueInfoProto v) {
    TypeProto t = v.getType();
    if (!t.hasTensorType()) {
      return new OnnxSummary.Value(v.getName(), t.getValueCase().name().toLowerCase(), List.of());
    }
    List<String> dims = new ArrayList<>();
    for (TensorShapeProto.Dimension d : t.getTensorType().getShape().getDimList()) {
      dims.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
    }
    return new OnnxSummary.Value(v.getName(), elementTypeName(t.getTensorType().getElemType()), dims);
  }

  static String elementTypeName(int elemType) {
    TensorProto.DataType dt = TensorProto.DataType.forNumber(elemType);
    return dt == null ? "type" + elemType : dt.name().toLowerCase();
  }

  static long elements(TensorProto t) {
    long n = 1;
    for (long d : t.getDimsList()) {
      n *= d;
    }
    return n;
  }

  /** Bytes per element of raw data, 0 for types this check does not size. */
  private static int elementBytes(int dataType) {
    TensorProto.DataType dt = TensorProto.DataType.forNumber(dataType);
    if (dt == null) {
      return 0;
    }
    return switch (dt) {
      case FLOAT, INT32, UINT32 -> 4;
      case DOUBLE, INT64, UINT64, COMPLEX64 -> 8;
      case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
      case INT8, UINT8, BOOL -> 1;
      case COMPLEX128 -> 16;
      default -> 0;
    };
  }
}
