package dev.rosetta.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.rosetta.converter.ImportedModel;
import dev.rosetta.converter.OnnxExport;
import dev.rosetta.converter.OnnxImport;
import dev.rosetta.converter.OnnxImportException;
import dev.rosetta.converter.OnnxLowering;
import dev.rosetta.converter.OnnxText;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.testkit.TestSpecs;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export and import are inverses for every example and the every-layer spec, at opsets 13, 17
 * and 20: importing an export gives the same spec (canonical JSON) and bit-identical weights in
 * the same order, and exporting that import gives the same file, byte for byte. Without the
 * spec the export stores in its metadata, the graph alone still imports to a spec that exports
 * to the same graph (only dropout, init schemes and training settings are not in a graph). A
 * sequence model (int64 token ids) imports only whole: its bare graph is refused, with that reason.
 */
class OnnxImportRoundTripTest {
  @TempDir Path dir;

  static Stream<Arguments> specsAndOpsets() {
    return ExampleSpecs.all().stream().flatMap(s -> Stream.of(13, 17, 20).map(o -> Arguments.of(s, o)));
  }

  @ParameterizedTest(name = "{0} at opset {1}")
  @MethodSource("specsAndOpsets")
  void exportAndImportAreInverses(ExampleSpecs.Named named, int opset) throws IOException {
    CheckedSpec spec = named.spec();
    WeightSet w = distinctWeights(spec);
    Path a = dir.resolve("a.onnx");
    OnnxExport.export(spec, w, TestSpecs.PROVENANCE, opset, a);

    ImportedModel m = OnnxImport.read(a);
    assertTrue(m.restored(), m.notes().toString());
    assertEquals(SpecJson.write(spec), SpecJson.write(m.spec()));
    assertBitIdentical(w, m.weights());
    Path b = dir.resolve("b.onnx");
    OnnxExport.export(m.spec(), m.weights(), TestSpecs.PROVENANCE, opset, b);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "export(import(export(spec))) is the same file");

    Path bare = dir.resolve("bare.onnx");
    Files.write(bare, ModelProto.parseFrom(Files.readAllBytes(a)).toBuilder().clearMetadataProps().build().toByteArray());
    if (spec.takesTokens()) {
      // The patterns match float32 graphs; a sequence model comes back only whole, as above.
      OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(bare));
      assertTrue(e.getMessage().contains("is int64: token ids. The patterns read float32 graphs only"), e.getMessage());
      return;
    }
    ImportedModel graphOnly = OnnxImport.read(bare);
    assertFalse(graphOnly.restored());
    assertBitIdentical(w, graphOnly.weights());
    assertEquals(graph(OnnxLowering.lower(spec, w, Map.of(), opset)), graph(OnnxLowering.lower(graphOnly.spec(), graphOnly.weights(), Map.of(), opset)),
        "the graph alone imports to a spec that exports to the same graph\n" + graphOnly.table());
  }

  /**
   * A spec that preprocesses table rows exports with its fitted statistics in front (the file
   * reads raw rows). No pattern reads that part, but the file is exactly its spec's export, so it
   * imports back whole: spec, weights and the fitted preprocessing (written into the weights
   * file), and exports again to the same bytes.
   */
  @ParameterizedTest(name = "penguins with its preprocessing at opset {0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {13, 17})
  void aPreprocessingExportImportsWhole(int opset) throws IOException {
    CheckedSpec spec = SpecJson.read(ExampleSpecs.examplesDir().resolve("penguins.json"));
    Preprocessor pre = ExampleSpecs.penguinsPreprocessor(spec);
    WeightSet w = distinctWeights(spec);
    Path a = dir.resolve("penguins.onnx");
    OnnxExport.export(spec, w, TestSpecs.PROVENANCE, opset, pre, a);
    ImportedModel m = OnnxImport.read(a);
    assertTrue(m.restored(), m.notes().toString());
    assertEquals(SpecJson.write(spec), SpecJson.write(m.spec()));
    assertBitIdentical(w, m.weights());
    assertEquals(pre.toJson(), m.preprocessor().toJson());
    Path b = dir.resolve("again.onnx");
    OnnxExport.export(m.spec(), m.weights(), TestSpecs.PROVENANCE, opset, m.preprocessor(), b);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    Path out = dir.resolve("imported");
    OnnxImport.write(m, out);
    var ckpt = dev.rosetta.checkpoint.Checkpoint.load(out.resolve(OnnxImport.WEIGHTS_FILE), m.spec());
    assertEquals(pre.toJson(), ckpt.preprocessor(m.spec(), "imported").toJson());
  }

  /** Every value distinct and away from init values, so a swapped or transposed tensor shows. */
  static WeightSet distinctWeights(CheckedSpec spec) {
    SplittableRandom r = new SplittableRandom(31);
    Map<String, Tensor> t = new LinkedHashMap<>();
    for (ParamSpec p : spec.params()) {
      float[] v = new float[(int) p.shape().size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (p.name().endsWith("running_var") ? 0.5 + r.nextDouble() : r.nextGaussian());
      }
      t.put(p.name(), new Tensor(p.shape(), v));
    }
    return new WeightSet(t);
  }

  static void assertBitIdentical(WeightSet want, WeightSet got) {
    assertEquals(new ArrayList<>(want.names()), new ArrayList<>(got.names()));
    for (String n : want.names()) {
      assertEquals(want.get(n).shape(), got.get(n).shape(), n);
      float[] x = want.get(n).data();
      float[] y = got.get(n).data();
      for (int i = 0; i < x.length; i++) {
        assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), n + "[" + i + "]");
      }
    }
  }

  /** The dump without metadata keys and the graph's name (the spec's name, not in a bare graph's spec). */
  private static String graph(ModelProto m) {
    List<String> lines = new ArrayList<>();
    for (String l : OnnxText.dump(m).split("\n")) {
      if (!l.startsWith("metadata_keys") && !l.startsWith("graph ")) {
        lines.add(l);
      }
    }
    return String.join("\n", lines);
  }
}
