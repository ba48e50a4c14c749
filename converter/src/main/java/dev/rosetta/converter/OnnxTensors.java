package dev.rosetta.converter;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the values of an ONNX {@code TensorProto}: typed fields, raw little-endian bytes, or
 * bytes in an external-data file beside the model (ONNX's format for models over 2 GB, also
 * used by {@code onnx.save_model(save_as_external_data=True)}).
 */
final class OnnxTensors {
  private OnnxTensors() {}

  /**
   * @param modelDir the folder of the model file, against which external-data locations resolve
   * @throws OnnxImportException for an element type Rosetta cannot hold, or external data that is
   *     missing or shorter than the tensor
   */
  static ConstTensor read(TensorProto t, Path modelFile, boolean fromInitializer) {
    long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    int count = Math.toIntExact(elements(dims));
    ByteBuffer raw = rawBytes(t, modelFile, count);
    TensorProto.DataType type = TensorProto.DataType.forNumber(t.getDataType());
    String name = t.getName().isEmpty() ? null : t.getName();
    if (type == null) {
      throw unsupported(t, modelFile, "element type " + t.getDataType());
    }
    if (raw != null && width(type) > 0 && raw.remaining() != (long) count * width(type)) {
      throw new OnnxImportException(
          modelFile + ": tensor '" + t.getName() + "' has " + raw.remaining() + " bytes of data but its shape "
              + t.getDimsList() + " needs " + (long) count * width(type) + " (truncated or corrupt)", null);
    }
    switch (type) {
      case FLOAT -> {
        float[] v = new float[count];
        if (raw != null) {
          raw.asFloatBuffer().get(v);
        } else {
          requireCount(t, modelFile, t.getFloatDataCount(), count);
          for (int i = 0; i < count; i++) {
            v[i] = t.getFloatData(i);
          }
        }
        return ConstTensor.ofFloats(dims, v, name, fromInitializer);
      }
      case DOUBLE -> {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
          v[i] = (float) (raw != null ? raw.getDouble(i * 8) : t.getDoubleData(i));
        }
        return ConstTensor.ofFloats(dims, v, name, fromInitializer);
      }
      case INT64 -> {
        long[] v = new long[count];
        if (raw != null) {
          raw.asLongBuffer().get(v);
        } else {
          requireCount(t, modelFile, t.getInt64DataCount(), count);
          for (int i = 0; i < count; i++) {
            v[i] = t.getInt64Data(i);
          }
        }
        return new ConstTensor(dims, null, v, name, fromInitializer);
      }
      case INT32, INT16, INT8, UINT8, UINT16, BOOL -> {
        long[] v = new long[count];
        for (int i = 0; i < count; i++) {
          v[i] = raw != null ? rawInt(raw, type, i) : t.getInt32Data(i);
        }
        return new ConstTensor(dims, null, v, name, fromInitializer);
      }
      default -> throw unsupported(t, modelFile, "element type " + type.name().toLowerCase());
    }
  }

  private static long rawInt(ByteBuffer raw, TensorProto.DataType type, int i) {
    return switch (type) {
      case INT32 -> raw.getInt(i * 4);
      case INT16 -> raw.getShort(i * 2);
      case UINT16 -> raw.getShort(i * 2) & 0xffff;
      case INT8 -> raw.get(i);
      default -> raw.get(i) & 0xff;
    };
  }

  private static void requireCount(TensorProto t, Path file, int have, int want) {
    if (have != want) {
      throw new OnnxImportException(
          file + ": tensor '" + t.getName() + "' holds " + have + " values but its shape " + t.getDimsList()
              + " needs " + want + " (corrupt file)", null);
    }
  }

  private static OnnxImportException unsupported(TensorProto t, Path file, String what) {
    return new OnnxImportException(
        file + ": tensor '" + t.getName() + "' has " + what
            + "; Rosetta's weights are float32 (re-export the model in float32)", null);
  }

  /** The tensor's bytes when they are raw (in the file or external), else null. */
  private static ByteBuffer rawBytes(TensorProto t, Path modelFile, int count) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      return ByteBuffer.wrap(external(t, modelFile)).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteString raw = t.getRawData();
    if (raw.isEmpty()) {
      return null;
    }
    return ByteBuffer.wrap(raw.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Bytes per element of raw data for the types {@link #read} decodes; 0 for the others. */
  private static int width(TensorProto.DataType type) {
    return switch (type) {
      case FLOAT, INT32 -> 4;
      case DOUBLE, INT64 -> 8;
      case INT16, UINT16 -> 2;
      case INT8, UINT8, BOOL -> 1;
      default -> 0;
    };
  }

  /**
   * The bytes of an external tensor: {@code location} (relative to the model's folder), {@code
   * offset} and {@code length} as ONNX defines them.
   */
  static byte[] external(TensorProto t, Path modelFile) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (StringStringEntryProto e : t.getExternalDataList()) {
      switch (e.getKey()) {
        case "location" -> location = e.getValue();
        case "offset" -> offset = Long.parseLong(e.getValue());
        case "length" -> length = Long.parseLong(e.getValue());
        default -> { }
      }
    }
    Path dir = modelFile.toAbsolutePath().getParent();
    if (location == null) {
      throw new OnnxImportException(
          modelFile + ": tensor '" + t.getName() + "' is stored externally but names no location", null);
    }
    Path data = dir.resolve(location).normalize();
    if (!Files.isRegularFile(data)) {
      throw new OnnxImportException(
          modelFile + ": tensor '" + t.getName() + "' is stored in the external data file '" + location
              + "', which is missing (looked for " + data + "); copy it next to the model, or save the model"
              + " without external data (onnx.save_model(m, f, save_as_external_data=False))", null);
    }
    try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "r")) {
      long len = length >= 0 ? length : f.length() - offset;
      if (offset < 0 || len < 0 || offset + len > f.length()) {
        throw new OnnxImportException(
            modelFile + ": tensor '" + t.getName() + "' needs bytes " + offset + ".." + (offset + len)
                + " of '" + location + "', which has " + f.length() + " (truncated external data)", null);
      }
      byte[] b = new byte[Math.toIntExact(len)];
      f.seek(offset);
      f.readFully(b);
      return b;
    } catch (IOException e) {
      throw new OnnxImportException(
          modelFile + ": cannot read external data '" + location + "' of tensor '" + t.getName() + "': " + e.getMessage(), null);
    }
  }

  static long elements(long[] dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }
}
