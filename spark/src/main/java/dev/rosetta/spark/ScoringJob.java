package dev.rosetta.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Batch scoring of an exported model over a table: reads Parquet or CSV, scores every row with
 * {@link OnnxTransformer} and writes Parquet (the input columns and the model's). The {@code
 * spark-submit} entry point is {@link #main}; {@code rosetta score} calls {@link #run} with a local
 * master.
 *
 * <p>A CSV file is read with its header, every cell as text; the cells a model reads as numbers are
 * then converted, Rosetta's missing-value markers ({@code "", "?", "NA", "NaN", "null"}) becoming
 * null, which an export with preprocessing treats as a missing value. Without an export's own
 * column names or {@code --input-cols}, a CSV's numeric input is every column but {@code label}.
 */
public final class ScoringJob {
  /** The cells a CSV may use for a missing value, as Rosetta's own CSV reader. */
  static final List<String> MISSING = List.of("", "?", "NA", "NaN", "null");

  private ScoringJob() {}

  /**
   * What to score.
   *
   * @param master Spark master, or null to take spark-submit's
   * @param inputCol the array or vector column of the model's input (Parquet), or null
   * @param inputCols numeric columns that make the model's input, or null
   * @param batchSize rows per ONNX Runtime call
   * @param threads ONNX Runtime intra-op threads per task
   * @param partitions repartition the input to this many partitions first, or 0 to keep the source's
   */
  public record Options(
      Path model, String data, String out, String master, String inputCol, List<String> inputCols, int batchSize,
      int threads, int partitions) {}

  /**
   * What a run did.
   *
   * @param seconds from reading to the last file written, excluding Spark's start
   */
  public record Summary(long rows, int partitions, double seconds, List<String> columns) {
    public double rowsPerSecond() {
      return rows / seconds;
    }
  }

  public static void main(String[] args) {
    Options o = parse(args);
    Summary s = run(o);
    System.out.printf(Locale.ROOT, "scored %,d rows in %d partitions in %.2f s (%,.0f rows/s): %s -> %s%n", s.rows(),
        s.partitions(), s.seconds(), s.rowsPerSecond(), o.data(), o.out());
  }

  /**
   * Runs the job; with a master given, in a session of its own that is stopped at the end.
   *
   * @throws ScoringException for a model or table that does not fit, before any job
   */
  public static Summary run(Options o) {
    OnnxTransformer scorer = new OnnxTransformer().setModelFile(o.model()).setBatchSize(o.batchSize()).setThreads(o.threads());
    if (!Files.exists(Path.of(o.data())) && !o.data().contains("://")) {
      throw new ScoringException("data not found: " + o.data());
    }
    SparkSession spark = session(o.master(), "rosetta score " + o.model().getFileName());
    try {
      long start = System.nanoTime();
      Dataset<Row> table = read(spark, o.data(), scorer, o);
      if (o.partitions() > 0) {
        table = table.repartition(o.partitions());
      }
      Dataset<Row> scored = scorer.transform(table);
      scored.write().mode(SaveMode.ErrorIfExists).parquet(o.out());
      double seconds = (System.nanoTime() - start) / 1e9;
      Dataset<Row> written = spark.read().parquet(o.out());
      return new Summary(written.count(), table.rdd().getNumPartitions(), seconds, List.of(scored.columns()));
    } finally {
      if (o.master() != null) {
        spark.stop();
      }
    }
  }

  /** A session on {@code master} (quiet, no UI when local), or spark-submit's when null. */
  static SparkSession session(String master, String name) {
    SparkSession.Builder b = SparkSession.builder().appName(name);
    if (master != null) {
      b.master(master);
      if (master.startsWith("local")) {
        b.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1");
      }
    }
    return b.getOrCreate();
  }

  /** Parquet, or a CSV file with a header (by the name's {@code .csv}), its model inputs converted to numbers. */
  static Dataset<Row> read(SparkSession spark, String data, OnnxTransformer scorer, Options o) {
    if (!data.toLowerCase(Locale.ROOT).endsWith(".csv")) {
      Dataset<Row> t = spark.read().parquet(data);
      return configure(scorer, o, t, false);
    }
    Dataset<Row> text = spark.read().option("header", "true").option("inferSchema", "false").option("nullValue", null)
        .option("emptyValue", "").csv(data);
    configure(scorer, o, text, true);
    // The numeric inputs as double, missing markers as null; every other column stays text.
    List<String> numeric = scorer.numericInputs();
    List<Column> cols = new ArrayList<>();
    for (String c : text.columns()) {
      Column v = functions.col("`" + c + "`");
      cols.add(numeric.contains(c)
          ? functions.when(v.isNull().or(v.isin(MISSING.toArray())), functions.lit(null).cast("double")).otherwise(v.cast("double")).as(c)
          : v);
    }
    return text.select(cols.toArray(new Column[0]));
  }

  /** Sets the input columns from the options, or for a CSV without them, every column but {@code label}. */
  private static Dataset<Row> configure(OnnxTransformer scorer, Options o, Dataset<Row> t, boolean csv) {
    if (o.inputCol() != null) {
      scorer.setInputCol(o.inputCol());
    } else if (o.inputCols() != null) {
      scorer.setInputCols(o.inputCols().toArray(new String[0]));
    } else if (csv && !scorer.readsNamedColumns()) {
      scorer.setInputCols(Arrays.stream(t.columns()).filter(c -> !c.equals("label")).toArray(String[]::new));
    }
    return t;
  }

  /** {@code --model M --data IN --out OUT [--master X] [--input-col C | --input-cols a,b] [--batch-size N] [--threads N] [--partitions N]}. */
  static Options parse(String[] args) {
    Path model = null;
    String data = null;
    String out = null;
    String master = null;
    String inputCol = null;
    List<String> inputCols = null;
    int batch = 256;
    int threads = 1;
    int partitions = 0;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new ScoringException("option " + a + " needs a value; " + USAGE);
      }
      String v = args[++i];
      switch (a) {
        case "--model" -> model = Path.of(v);
        case "--data" -> data = v;
        case "--out" -> out = v;
        case "--master" -> master = v;
        case "--input-col" -> inputCol = v;
        case "--input-cols" -> inputCols = List.of(v.split(","));
        case "--batch-size" -> batch = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--partitions" -> partitions = Integer.parseInt(v);
        default -> throw new ScoringException("unknown option " + a + "; " + USAGE);
      }
    }
    if (model == null || data == null || out == null) {
      throw new ScoringException(USAGE);
    }
    return new Options(model, data, out, master, inputCol, inputCols, batch, threads, partitions);
  }

  static final String USAGE = "usage: ScoringJob --model MODEL.onnx --data IN(.parquet|.csv) --out OUT.parquet [--master M]"
      + " [--input-col C | --input-cols a,b,...] [--batch-size N] [--threads N] [--partitions N]";
}
