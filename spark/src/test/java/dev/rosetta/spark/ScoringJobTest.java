package dev.rosetta.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.converter.OnnxLowering;
import dev.rosetta.converter.OnnxOpset;
import dev.rosetta.engine.onnxruntime.TabularOnnxModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.CsvTable;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.weights.Initializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring job: a CSV table with missing cells in, Parquet out, the same outputs as ONNX Runtime directly. */
class ScoringJobTest {
  private static SparkSession spark;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start();
  }

  @Test
  void scoresACsvTableIntoParquetAsOnnxRuntimeDoes() throws Exception {
    Path csv = SparkTestSession.examples().resolve("data/penguins.csv");
    CheckedSpec spec = SpecJson.read(SparkTestSession.examples().resolve("penguins.json"));
    RawRows raw = RawRows.read(CsvTable.read(csv), spec.spec().preprocess(), true);
    Preprocessor p = Preprocessor.fit(spec, raw, Preprocessor.classesOf(raw));
    Path model = tmp.resolve("penguins.onnx");
    Files.write(model, OnnxLowering.lower(spec, Initializer.initialize(spec), null, OnnxOpset.DEFAULT, p).toByteArray());
    float[] expected;
    try (TabularOnnxModel m = TabularOnnxModel.load(model, spec)) {
      expected = m.predict(raw);
    }
    String out = tmp.resolve("scored.parquet").toString();
    ScoringJob.Summary s = ScoringJob.run(ScoringJob.parse(new String[] {
        "--model", model.toString(), "--data", csv.toString(), "--out", out, "--batch-size", "50", "--partitions", "2"}));
    assertEquals(344, s.rows());
    assertEquals(2, s.partitions());
    assertTrue(s.columns().containsAll(List.of("species", "island", "output", "prediction", "probability", "predicted_label")));
    List<Row> rows = spark.read().parquet(out).select("species", "bill_length_mm", "output").collectAsList();
    // Parquet keeps no row order across partitions: match rows by their position in the CSV through a key.
    assertEquals(344, rows.size());
    int checked = 0;
    for (int i = 0; i < raw.size(); i++) {
      for (Row r : rows) {
        List<Float> y = r.getList(2);
        if (Float.floatToRawIntBits(y.get(0)) == Float.floatToRawIntBits(expected[i * 3])
            && Float.floatToRawIntBits(y.get(1)) == Float.floatToRawIntBits(expected[i * 3 + 1])
            && Float.floatToRawIntBits(y.get(2)) == Float.floatToRawIntBits(expected[i * 3 + 2])) {
          checked++;
          break;
        }
      }
    }
    assertEquals(344, checked, "rows whose three outputs ONNX Runtime gives bit for bit");
  }

  @Test
  void refusesMissingDataAndBadUsage() {
    Path model = tmp.resolve("none.onnx");
    ScoringException e = assertThrows(ScoringException.class, () -> ScoringJob.parse(new String[] {"--model", "m.onnx"}));
    assertTrue(e.getMessage().startsWith("usage: ScoringJob --model"), e.getMessage());
    e = assertThrows(ScoringException.class, () -> ScoringJob.parse(new String[] {"--modle", "m.onnx", "--data", "x"}));
    assertTrue(e.getMessage().startsWith("unknown option --modle"), e.getMessage());
    e = assertThrows(ScoringException.class, () -> ScoringJob.run(ScoringJob.parse(new String[] {
        "--model", model.toString(), "--data", "in.parquet", "--out", "out"})));
    assertTrue(e.getMessage().startsWith("cannot read model " + model), e.getMessage());
    assertFalse(Files.exists(Path.of("out")));
  }
}
