package dev.rosetta.tests.onnximport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.converter.ImportedModel;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.converter.OnnxImport;
import dev.rosetta.data.Dataset;
import dev.rosetta.engine.onnxruntime.OnnxRuntimeModel;
import dev.rosetta.engine.onnxruntime.OnnxVerifier;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture made by a real exporter imports, computes on PyTorch and on TensorFlow what ONNX
 * Runtime computed on the file (the committed reference, and the file run again here), exports
 * again to a file that computes the same, and that export imports back to the same spec and
 * bit-identical weights. Fine-tuning is in {@link OnnxImportFineTuneTest}.
 */
class OnnxImportFixtureTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.rosetta.tests.onnximport.ImportFixtures#importable")
  void importsComputesTheReferenceOnBothBackendsAndExportsAgain(ImportFixtures.Fixture f) throws IOException {
    ImportedModel m = OnnxImport.read(f.path());
    CheckedSpec spec = m.spec();
    assertEquals(f.expectedInput(), spec.input());
    assertLayersAsExpected(f, m);

    ImportFixtures.Reference ref = f.reference();
    int n = ref.samples();
    float[] x = m.inputLayout().toCanonical(ref.input().data(), n);
    float[] want = ref.output().data();
    double bound = OnnxVerifier.TOLERANCE * Math.max(1, maxAbs(want));
    float[] samples = OnnxVerifier.samples(spec, Dataset.classification(spec.input(), x, new int[n], f.file()));
    for (String name : List.of("pytorch", "tensorflow")) {
      Backend b = Backends.get(name);
      try (InferenceModel model = b.inference(spec, m.weights())) {
        double diff = maxAbsDiff(model.predict(x, n), want);
        System.out.printf("import [%s] %s vs reference: %.3e (bound %.1e)%n", f.file(), name, diff, bound);
        assertTrue(diff <= bound, f.file() + ": " + name + " differs from ONNX Runtime's reference by " + diff + " > " + bound);
        OnnxVerifier.Verification v = OnnxVerifier.verifyImport(m, model, samples);
        assertTrue(v.pass(), f.file() + ": " + name + " vs the original in ONNX Runtime: " + v.toText());
      }
    }

    Path again = dir.resolve("again.onnx");
    OnnxExport.export(spec, m.weights(), Map.of(), again);
    try (InferenceModel ort = OnnxRuntimeModel.load(again, spec)) {
      double diff = maxAbsDiff(ort.predict(x, n), want);
      assertTrue(diff <= bound, f.file() + ": the re-export differs from the original's outputs by " + diff);
      OnnxVerifier.Verification v = OnnxVerifier.verifyImport(m, ort, samples);
      assertTrue(v.pass(), f.file() + ": re-export vs original: " + v.toText());
    }
    ImportedModel back = OnnxImport.read(again);
    assertTrue(back.restored(), back.notes().toString());
    assertEquals(SpecJson.write(spec), SpecJson.write(back.spec()));
    assertEquals(m.weights(), back.weights());
  }

  /** Types in order, and every field the generator wrote (units, kernel, epsilon, ...), as in the source model. */
  private static void assertLayersAsExpected(ImportFixtures.Fixture f, ImportedModel m) {
    List<JsonNode> hints = f.layerHints();
    JsonNode got = SpecJson.toTree(m.spec().spec()).get("layers");
    assertEquals(hints.stream().map(h -> h.get("type").asText()).toList(),
        m.spec().layers().stream().map(l -> l.type()).toList(), f.file() + "\n" + m.table());
    for (int i = 0; i < hints.size(); i++) {
      for (Iterator<Map.Entry<String, JsonNode>> it = hints.get(i).fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (List.of("type", "name", "inputs").contains(e.getKey())) {
          continue;
        }
        JsonNode have = got.get(i).get(e.getKey());
        boolean same = e.getValue().isNumber() && have != null && have.isNumber()
            ? e.getValue().asDouble() == have.asDouble() : e.getValue().equals(have);
        assertTrue(same, f.file() + " layer " + i + " " + e.getKey() + ": expected " + e.getValue() + ", imported " + have);
      }
    }
  }

  static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      m = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(m, d);
    }
    return m;
  }
}
