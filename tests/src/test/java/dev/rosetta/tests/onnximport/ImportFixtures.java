package dev.rosetta.tests.onnximport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.spec.Shape;
import dev.rosetta.weights.Safetensors;
import dev.rosetta.weights.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ONNX files made by the real exporters (tests/src/test/resources/onnx-import, made by
 * examples/python/onnx_import/make_onnx_import_fixtures.py and train_fashion_cnn.py), read
 * through their MANIFEST.json: what each should become, and its reference outputs (ONNX
 * Runtime on the file, computed when the file was made), so the suite needs no Python.
 */
final class ImportFixtures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ImportFixtures() {}

  /** One fixture file and its manifest entry. */
  record Fixture(String file, JsonNode entry) {
    Path path() {
      return dir().resolve(file);
    }

    boolean importable() {
      return entry.path("expected_import").path("outcome").asText().equals("import");
    }

    /** The per-sample input the spec should take (NCHW even for an NHWC file). */
    Shape expectedInput() {
      JsonNode s = entry.path("expected_import").path("input_shape_without_batch");
      int[] d = new int[s.size()];
      for (int k = 0; k < d.length; k++) {
        d[k] = s.get(k).asInt();
      }
      return Shape.of(d);
    }

    /**
     * The layers the generator expects, from the source modules. An entry with an {@code onnx}
     * key describes one of two acceptable imports (Keras's batch norm arrives as a per-channel
     * scale and shift that may be folded into the conv); those are not compared.
     */
    List<JsonNode> layerHints() {
      List<JsonNode> out = new ArrayList<>();
      entry.path("expected_import").path("rosetta_layers").forEach(l -> {
        if (!l.has("onnx")) {
          out.add(l);
        }
      });
      return out;
    }

    /** The reference batch: {@code input} in the file's layout and ONNX Runtime's {@code output}. */
    Reference reference() {
      try {
        var c = Safetensors.read(dir().resolve(entry.path("ref_file").asText()));
        return new Reference(c.weights().get("input"), c.weights().get("output"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return file;
    }
  }

  record Reference(Tensor input, Tensor output) {
    int samples() {
      return input.shape().dim(0);
    }
  }

  static Path dir() {
    try {
      return Path.of(ImportFixtures.class.getResource("/onnx-import/MANIFEST.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Fixture> all() {
    try {
      JsonNode m = JSON.readTree(dir().resolve("MANIFEST.json").toFile());
      List<Fixture> out = new ArrayList<>();
      m.path("fixtures").forEach(f -> out.add(new Fixture(f.path("file").asText(), f)));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Fixture> importable() {
    return all().stream().filter(Fixture::importable).toList();
  }

  static List<Fixture> refusals() {
    return all().stream().filter(f -> !f.importable()).toList();
  }

  static Fixture named(String file) {
    return all().stream().filter(f -> f.file().equals(file)).findFirst().orElseThrow();
  }
}
