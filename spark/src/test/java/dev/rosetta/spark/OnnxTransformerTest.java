package dev.rosetta.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.rosetta.converter.OnnxLowering;
import dev.rosetta.converter.OnnxOpset;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.IdxReader;
import dev.rosetta.engine.onnxruntime.OrtSessions;
import dev.rosetta.engine.onnxruntime.TabularOnnxModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.CsvTable;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.testkit.TestSpecs;
import dev.rosetta.weights.Initializer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark scorer against ONNX Runtime called directly, on local[2]: the seed MLP and the
 * fashion CNN exports bit for bit, an export with preprocessing on raw table columns, a Parquet
 * round trip, schema mismatches refused before any job, and a Pipeline saved and loaded.
 */
class OnnxTransformerTest {
  private static final int ROWS = 300;
  private static SparkSession spark;
  private static Dataset images;
  private static org.apache.spark.sql.Dataset<Row> imageTable;
  private static final AtomicInteger JOBS = new AtomicInteger();

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkTestSession.start();
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart jobStart) {
        JOBS.incrementAndGet();
      }
    });
    images = IdxReader.readEmbedded().test().head(ROWS);
    imageTable = imageTable().cache();
    imageTable.count();
  }

  private static byte[] export(CheckedSpec spec) {
    return OnnxLowering.lower(spec, Initializer.initialize(spec), TestSpecs.PROVENANCE).toByteArray();
  }

  /** The images as a table: an id and an array<float> column of 784 values, in 2 partitions. */
  private static org.apache.spark.sql.Dataset<Row> imageTable() {
    List<Row> rows = new ArrayList<>();
    int w = images.featureSize();
    for (int i = 0; i < images.size(); i++) {
      float[] x = java.util.Arrays.copyOfRange(images.features(), i * w, (i + 1) * w);
      rows.add(RowFactory.create(i, x));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("features", DataTypes.createArrayType(DataTypes.FloatType));
    return spark.createDataFrame(new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext()).parallelize(rows, 2), schema);
  }

  /** ONNX Runtime called directly on every row in one batch: the reference. */
  private static float[] direct(byte[] model, long[] sampleShape) throws Exception {
    try (OrtSession s = OrtSessions.open(model, 1)) {
      long[] shape = new long[sampleShape.length + 1];
      shape[0] = images.size();
      System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
      try (OnnxTensor x = OnnxTensor.createTensor(OrtSessions.environment(), FloatBuffer.wrap(images.features()), shape);
          OrtSession.Result r = s.run(Map.of(OnnxLowering.INPUT, x))) {
        FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
        float[] y = new float[fb.remaining()];
        fb.get(y);
        return y;
      }
    }
  }

  /** The scored output column by id. */
  private static float[][] byId(org.apache.spark.sql.Dataset<Row> scored, String column) {
    float[][] out = new float[ROWS][];
    for (Row r : scored.select("id", column).collectAsList()) {
      List<Float> v = r.getList(1);
      float[] y = new float[v.size()];
      for (int i = 0; i < y.length; i++) {
        y[i] = v.get(i);
      }
      out[r.getInt(0)] = y;
    }
    return out;
  }

  private static void assertBitIdentical(float[] expected, float[][] actual, int width) {
    for (int i = 0; i < ROWS; i++) {
      for (int k = 0; k < width; k++) {
        assertEquals(Float.floatToRawIntBits(expected[i * width + k]), Float.floatToRawIntBits(actual[i][k]),
            "row " + i + ", output " + k);
      }
    }
  }

  @Test
  void seedMlpScoresAsOnnxRuntimeDirectlyBitForBit() throws Exception {
    byte[] model = export(TestSpecs.seedMlp());
    float[] expected = direct(model, new long[] {784});
    org.apache.spark.sql.Dataset<Row> scored =
        new OnnxTransformer().setModel(model, "seed-mlp.onnx").setBatchSize(64).transform(imageTable);
    assertEquals(List.of("id", "features", "output", "prediction", "probability"), List.of(scored.columns()));
    float[][] out = byId(scored, "output");
    assertBitIdentical(expected, out, 10);
    // Prediction is the argmax and probabilities sum to one.
    for (Row r : scored.select("id", "prediction", "probability").collectAsList()) {
      float[] y = out[r.getInt(0)];
      int best = 0;
      for (int k = 1; k < 10; k++) {
        best = y[k] > y[best] ? k : best;
      }
      assertEquals(best, r.getDouble(1), 0);
      double sum = 0;
      for (Object p : r.getList(2)) {
        sum += (Float) p;
      }
      assertEquals(1, sum, 1e-5);
    }
  }

  @Test
  void fashionCnnScoresAsOnnxRuntimeDirectlyBitForBit() throws Exception {
    CheckedSpec cnn = SpecJson.read(SparkTestSession.examples().resolve("fashion-cnn.json"));
    byte[] model = export(cnn);
    float[] expected = direct(model, new long[] {1, 28, 28});
    float[][] out = byId(new OnnxTransformer().setModel(model, "fashion-cnn.onnx").setBatchSize(50).transform(imageTable), "output");
    assertBitIdentical(expected, out, 10);
  }

  @Test
  void parquetRoundTrip() throws Exception {
    byte[] model = export(TestSpecs.seedMlp());
    String in = tmp.resolve("in.parquet").toString();
    String out = tmp.resolve("out.parquet").toString();
    imageTable.write().parquet(in);
    org.apache.spark.sql.Dataset<Row> scored = new OnnxTransformer().setModel(model, "seed-mlp.onnx").transform(spark.read().parquet(in));
    scored.write().parquet(out);
    org.apache.spark.sql.Dataset<Row> back = spark.read().parquet(out);
    assertEquals(ROWS, back.count());
    assertBitIdentical(direct(model, new long[] {784}), byId(back, "output"), 10);
  }

  @Test
  void vectorAndNumericColumnsFeedTheSameInput() throws Exception {
    CheckedSpec small = SpecJson.parse("{\"format\": \"rosetta/v1\", \"name\": \"small\", \"input\": {\"shape\": [3]}, \"layers\": [{\"type\": \"dense\","
        + " \"name\": \"fc\", \"units\": 2}], \"loss\": {\"type\": \"cross_entropy\"}, \"optimizer\": {\"type\": \"sgd\","
        + " \"learning_rate\": 0.1}}", "small");
    byte[] model = export(small);
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("a", DataTypes.DoubleType)
        .add("b", DataTypes.FloatType).add("c", DataTypes.IntegerType).add("v", new org.apache.spark.ml.linalg.VectorUDT());
    List<Row> rows = List.of(
        RowFactory.create(0, 0.5, 1.5f, 2, Vectors.dense(0.5, 1.5, 2)),
        RowFactory.create(1, -1.0, 0f, 7, Vectors.sparse(3, new int[] {0, 2}, new double[] {-1, 7})));
    org.apache.spark.sql.Dataset<Row> df = spark.createDataFrame(rows, schema);
    List<Row> byColumns = new OnnxTransformer().setModel(model, "small").setInputCols("a", "b", "c").transform(df)
        .select("output").collectAsList();
    List<Row> byVector = new OnnxTransformer().setModel(model, "small").setInputCol("v").transform(df)
        .select("output").collectAsList();
    assertEquals(byColumns, byVector);
  }

  @Test
  void anExportWithPreprocessingReadsRawColumnsWithNullsAsMissing() throws Exception {
    Path csv = SparkTestSession.examples().resolve("data/penguins.csv");
    CheckedSpec spec = SpecJson.read(SparkTestSession.examples().resolve("penguins.json"));
    RawRows raw = RawRows.read(CsvTable.read(csv), spec.spec().preprocess(), true);
    Preprocessor p = Preprocessor.fit(spec, raw, Preprocessor.classesOf(raw));
    byte[] model = OnnxLowering.lower(spec, Initializer.initialize(spec), null, OnnxOpset.DEFAULT, p).toByteArray();
    Path file = tmp.resolve("penguins.onnx");
    Files.write(file, model);
    float[] expected;
    try (TabularOnnxModel m = TabularOnnxModel.load(file, spec)) {
      expected = m.predict(raw);
    }
    org.apache.spark.sql.Dataset<Row> table = spark.read().option("header", "true").option("inferSchema", "true")
        .option("nullValue", "NA").csv(csv.toString());
    List<Row> scored = new OnnxTransformer().setModelFile(file).transform(table)
        .select("output", "predicted_label", "species").collectAsList();
    assertEquals(raw.size(), scored.size());
    for (int i = 0; i < scored.size(); i++) {
      List<Float> y = scored.get(i).getList(0);
      for (int k = 0; k < 3; k++) {
        assertEquals(Float.floatToRawIntBits(expected[i * 3 + k]), Float.floatToRawIntBits(y.get(k)), "row " + i);
      }
      assertTrue(p.classes().contains(scored.get(i).getString(1)));
    }
  }

  /** Runs {@code r}, which must fail with a message containing {@code words}, and checks no Spark job started. */
  private static void refusedBeforeAnyJob(Runnable r, String... words) throws Exception {
    spark.sparkContext().listenerBus().waitUntilEmpty();
    int before = JOBS.get();
    ScoringException e = assertThrows(ScoringException.class, r::run);
    spark.sparkContext().listenerBus().waitUntilEmpty();
    assertEquals(before, JOBS.get(), "a Spark job ran before the refusal: " + e.getMessage());
    for (String w : words) {
      assertTrue(e.getMessage().contains(w), e.getMessage());
    }
  }

  @Test
  void schemaMismatchesAreRefusedBeforeAnyJobNamingTheColumn() throws Exception {
    byte[] model = export(TestSpecs.seedMlp());
    OnnxTransformer t = new OnnxTransformer().setModel(model, "seed-mlp.onnx");
    org.apache.spark.sql.Dataset<Row> table = imageTable;
    // Wrong type: a string column.
    org.apache.spark.sql.Dataset<Row> strings = table.withColumn("text", org.apache.spark.sql.functions.lit("x"));
    refusedBeforeAnyJob(() -> t.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("text").transform(strings),
        "column 'text' is string", "input: float[batch, 784]");
    // Wrong type: an array of ints.
    org.apache.spark.sql.Dataset<Row> ints = table.withColumn("ints", table.col("features").cast("array<int>"));
    refusedBeforeAnyJob(() -> t.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("ints").transform(ints),
        "column 'ints' is array<int>");
    // A missing column.
    refusedBeforeAnyJob(() -> t.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("pixels").transform(table),
        "no column 'pixels'", "the table has: id, features");
    // Wrong width, known from the column's ML attribute metadata.
    org.apache.spark.sql.Dataset<Row> narrow =
        table.withColumn("features", table.col("features"), new AttributeGroup("features", 783).toMetadata());
    refusedBeforeAnyJob(() -> t.transform(narrow), "column 'features' holds 783 values per row", "takes 784");
    // Wrong width: numeric columns.
    refusedBeforeAnyJob(() -> t.copy(new org.apache.spark.ml.param.ParamMap()).setInputCols("id").transform(table),
        "takes 784 values per row; 1 columns given: id");
    // An output column that would overwrite an input column.
    refusedBeforeAnyJob(() -> t.copy(new org.apache.spark.ml.param.ParamMap()).setOutputCol("id").transform(table),
        "column 'id' already exists");
  }

  @Test
  void anArrayOfAnotherWidthFailsItsTaskNamingTheColumnAndRow() {
    byte[] model = export(TestSpecs.seedMlp());
    org.apache.spark.sql.Dataset<Row> table = imageTable.withColumn("features",
        org.apache.spark.sql.functions.slice(org.apache.spark.sql.functions.col("features"), 1, 780));
    SparkException e = assertThrows(SparkException.class,
        () -> new OnnxTransformer().setModel(model, "seed-mlp.onnx").transform(table).count());
    Throwable t = e;
    while (t.getCause() != null && !(t instanceof ScoringException)) {
      t = t.getCause();
    }
    assertTrue(t.getMessage().contains("column 'features' holds 780 values; model input input: float[batch, 784] takes 784"),
        t.getMessage());
  }

  @Test
  void aPipelineWithTheStageSavesAndLoads() throws Exception {
    byte[] model = export(TestSpecs.seedMlp());
    org.apache.spark.sql.Dataset<Row> table = imageTable;
    OnnxTransformer stage = new OnnxTransformer().setModel(model, "seed-mlp.onnx").setBatchSize(32).setThreads(1)
        .setPredictionCol("class");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(table);
    String dir = tmp.resolve("pipeline").toString();
    fitted.write().overwrite().save(dir);
    assertTrue(Files.isRegularFile(tmp.resolve("pipeline/stages/0_" + stage.uid() + "/" + OnnxTransformer.MODEL_FILE)));
    PipelineModel loaded = PipelineModel.load(dir);
    OnnxTransformer back = (OnnxTransformer) loaded.stages()[0];
    assertEquals(stage.uid(), back.uid());
    assertEquals(32, back.getOrDefault(back.batchSize()));
    assertArrayEquals(model, back.modelBytes());
    float[][] a = byId(fitted.transform(table), "output");
    float[][] b = byId(loaded.transform(table), "output");
    assertArrayEquals(a, b);
    assertTrue(List.of(loaded.transform(table).columns()).contains("class"));
    // The stage alone too.
    String alone = tmp.resolve("stage").toString();
    stage.save(alone);
    assertArrayEquals(model, OnnxTransformer.load(alone).modelBytes());
  }
}
