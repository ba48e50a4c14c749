package dev.rosetta.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.io.AtomicFile;
import dev.rosetta.spec.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data. Only F32 is written
 * or read. String metadata travels under {@code __metadata__}.
 */
public final class Safetensors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L * 1024 * 1024;

  private Safetensors() {}

  /** A weight set and its metadata as read from a file. */
  public record Contents(WeightSet weights, Map<String, String> metadata) {}

  /** Writes atomically: the file appears whole or not at all. */
  public static void write(Path file, WeightSet weights, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", "F32");
      var shape = t.putArray("shape");
      for (int d : e.getValue().shape().dims()) {
        shape.add(d);
      }
      long bytes = 4L * e.getValue().data().length;
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] headerBytes = JSON.writeValueAsBytes(header);
    // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
    int padded = (headerBytes.length + 7) / 8 * 8;
    byte[] h = new byte[padded];
    System.arraycopy(headerBytes, 0, h, 0, headerBytes.length);
    for (int i = headerBytes.length; i < padded; i++) {
      h[i] = ' ';
    }
    AtomicFile.write(
        file,
        out -> {
          ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
          out.write(len.array());
          out.write(h);
          for (Tensor t : weights.tensors().values()) {
            ByteBuffer b = ByteBuffer.allocate(4 * t.data().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.data());
            out.write(b.array());
          }
        });
  }

  public static Contents read(Path file) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException("checkpoint not found: " + file, e);
    }
    return parse(all, file.toString());
  }

  public static Contents read(InputStream in, String source) throws IOException {
    return parse(in.readAllBytes(), source);
  }

  static Contents parse(byte[] all, String source) throws IOException {
    if (all.length < 8) {
      throw corrupt(source, "file is " + all.length + " bytes, shorter than the 8-byte header length");
    }
    ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    long n = buf.getLong();
    if (n <= 0 || n > MAX_HEADER || 8 + n > all.length) {
      throw corrupt(source, "header length " + n + " does not fit a file of " + all.length + " bytes (truncated or not safetensors)");
    }
    JsonNode header;
    try {
      header = JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw corrupt(source, "header is not valid JSON");
    }
    if (header == null || !header.isObject()) {
      throw corrupt(source, "header is not a JSON object");
    }
    long dataStart = 8 + n;
    long dataLen = all.length - dataStart;
    Map<String, String> meta = new LinkedHashMap<>();
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    List<Map.Entry<String, long[]>> order = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue().fields().forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      JsonNode t = e.getValue();
      String dtype = t.path("dtype").asText();
      if (!dtype.equals("F32")) {
        throw corrupt(source, "tensor '" + e.getKey() + "' has dtype " + dtype + "; Rosetta reads F32 only");
      }
      JsonNode shapeNode = t.path("shape");
      int[] dims = new int[shapeNode.size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = shapeNode.get(i).asInt();
      }
      long begin = t.path("data_offsets").path(0).asLong(-1);
      long end = t.path("data_offsets").path(1).asLong(-1);
      Shape shape = Shape.of(dims);
      if (begin < 0 || end < begin || end > dataLen || end - begin != 4 * shape.size()) {
        throw corrupt(source, "tensor '" + e.getKey() + "' has data_offsets [" + begin + ", " + end + "] that do not fit shape " + shape + " in " + dataLen + " data bytes (truncated?)");
      }
      float[] data = new float[(int) shape.size()];
      ByteBuffer.wrap(all, (int) (dataStart + begin), (int) (end - begin))
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .get(data);
      tensors.put(e.getKey(), new Tensor(shape, data));
      order.add(Map.entry(e.getKey(), new long[] {begin}));
    }
    // Keep file order by data offset, which is the writer's (layer) order.
    order.sort((a, b) -> Long.compare(a.getValue()[0], b.getValue()[0]));
    Map<String, Tensor> ordered = new LinkedHashMap<>();
    for (var e : order) {
      ordered.put(e.getKey(), tensors.get(e.getKey()));
    }
    return new Contents(new WeightSet(ordered), meta);
  }

  private static IOException corrupt(String source, String why) {
    return new IOException(source + ": not a readable safetensors file: " + why);
  }
}
