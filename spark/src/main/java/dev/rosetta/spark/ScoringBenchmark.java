package dev.rosetta.spark;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.IdxReader;
import dev.rosetta.engine.onnxruntime.OrtSessions;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Scoring throughput, Spark against ONNX Runtime in one process, in alternating rounds: the
 * training images of an IDX folder (60,000 for Fashion-MNIST) scored by one exported model (1)
 * in this process with ONNX Runtime's Java API, one session, batches of the same size, one and two
 * intra-op threads, from {@code float[]} in memory; (2) by {@link OnnxTransformer} on the Spark
 * master, reading the images from Parquet (written once from the IDX files, in 8 files) and
 * writing to Spark's {@code noop} sink, so the time is reading plus scoring; (3) by the same stage
 * from the table cached in memory (read and counted once before the rounds), which leaves out
 * Parquet's decoding and shows what the stage and Spark's tasks cost. The machine's drift is why
 * the variants take turns; every round's figure is printed.
 *
 * <p>{@code java -Xmx3g -cp 'cli/target/rosetta-cli.jar:cli/target/lib/*' dev.rosetta.spark.ScoringBenchmark
 * --model M.onnx --idx DIR --parquet P [--rounds N] [--master local[2]] [--batch-size 256]}
 */
public final class ScoringBenchmark {
  private ScoringBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = null;
    Path idx = null;
    String parquet = null;
    int rounds = 3;
    String master = "local[2]";
    int batch = 256;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[i + 1]);
        case "--idx" -> idx = Path.of(args[i + 1]);
        case "--parquet" -> parquet = args[i + 1];
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--master" -> master = args[i + 1];
        case "--batch-size" -> batch = Integer.parseInt(args[i + 1]);
        default -> throw new ScoringException("unknown option " + args[i]);
      }
    }
    if (model == null || idx == null || parquet == null) {
      throw new ScoringException("usage: ScoringBenchmark --model M.onnx --idx DIR --parquet P [--rounds N] [--master M] [--batch-size N]");
    }
    byte[] bytes = Files.readAllBytes(model);
    Dataset images = IdxReader.readDirectory(idx).train();
    SparkSession spark = ScoringJob.session(master, "rosetta scoring benchmark");
    try {
      if (!Files.exists(Path.of(parquet))) {
        writeParquet(spark, images, parquet);
      }
      OnnxTransformer scorer = new OnnxTransformer().setModel(bytes, model.toString()).setBatchSize(batch).setThreads(1);
      long[] shape = ModelSignature.read(bytes, model.toString()).inputs().get(0).shape(0);
      System.out.printf(Locale.ROOT, "%,d rows of %s, model %s, batch %d; Spark %s on %s%n", images.size(), idx, model, batch,
          spark.version(), master);
      List<String> a = new ArrayList<>();
      List<String> b = new ArrayList<>();
      List<String> c = new ArrayList<>();
      List<String> d = new ArrayList<>();
      org.apache.spark.sql.Dataset<Row> cached = spark.read().parquet(parquet).cache();
      cached.count();
      // Round 0 warms each variant up and is not reported.
      for (int r = 0; r <= rounds; r++) {
        double one = direct(bytes, images, shape, batch, 1);
        double two = direct(bytes, images, shape, batch, 2);
        double sp = spark(scorer, spark.read().parquet(parquet), images.size());
        double mem = spark(scorer, cached, images.size());
        if (r > 0) {
          a.add(String.format(Locale.ROOT, "%,.0f", one));
          b.add(String.format(Locale.ROOT, "%,.0f", two));
          c.add(String.format(Locale.ROOT, "%,.0f", sp));
          d.add(String.format(Locale.ROOT, "%,.0f", mem));
          System.out.printf(Locale.ROOT,
              "round %d: ONNX Runtime 1 thread %,.0f rows/s, 2 threads %,.0f rows/s; Spark %s from Parquet %,.0f rows/s, cached %,.0f rows/s%n",
              r, one, two, master, sp, mem);
        }
      }
      System.out.println("ONNX Runtime in one process, 1 intra-op thread: " + String.join(" / ", a));
      System.out.println("ONNX Runtime in one process, 2 intra-op threads: " + String.join(" / ", b));
      System.out.println("Spark " + master + " (1 intra-op thread per task), Parquet read + scoring: " + String.join(" / ", c));
      System.out.println("Spark " + master + " (1 intra-op thread per task), cached table, scoring only: " + String.join(" / ", d));
    } finally {
      spark.stop();
    }
  }

  /** Rows per second of one session over every image, batch by batch. */
  private static double direct(byte[] model, Dataset images, long[] shape, int batch, int threads) throws OrtException {
    int w = images.featureSize();
    float[] x = images.features();
    try (OrtSession s = OrtSessions.open(model, threads)) {
      String input = s.getInputNames().iterator().next();
      long start = System.nanoTime();
      double sink = 0;
      for (int from = 0; from < images.size(); from += batch) {
        int n = Math.min(batch, images.size() - from);
        shape[0] = n;
        try (OnnxTensor t = OnnxTensor.createTensor(OrtSessions.environment(), FloatBuffer.wrap(x, from * w, n * w), shape);
            OrtSession.Result r = s.run(Map.of(input, t))) {
          FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
          float[] out = new float[y.remaining()];
          y.get(out);
          sink += out[0];
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (Double.isNaN(sink)) {
        System.out.println("(a NaN output)");
      }
      return images.size() / seconds;
    }
  }

  /** Rows per second of the stage over {@code table}, written to Spark's {@code noop} sink. */
  private static double spark(OnnxTransformer scorer, org.apache.spark.sql.Dataset<Row> table, int rows) {
    long start = System.nanoTime();
    scorer.transform(table).write().format("noop").mode(SaveMode.Overwrite).save();
    return rows / ((System.nanoTime() - start) / 1e9);
  }

  /** The images as Parquet: an id and an {@code array<float>} column, in 8 files. */
  private static void writeParquet(SparkSession spark, Dataset images, String parquet) {
    int w = images.featureSize();
    List<Row> rows = new ArrayList<>(images.size());
    for (int i = 0; i < images.size(); i++) {
      rows.add(RowFactory.create(i, images.labels()[i], java.util.Arrays.copyOfRange(images.features(), i * w, (i + 1) * w)));
    }
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("label", DataTypes.IntegerType)
        .add("features", DataTypes.createArrayType(DataTypes.FloatType));
    spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 8), schema)
        .write().parquet(parquet);
  }
}
