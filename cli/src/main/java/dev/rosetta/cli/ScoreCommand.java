package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.spark.ScoringJob;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "score",
    description = {
      "Batch scoring on Apache Spark: every row of a Parquet or CSV table through an exported ONNX model, one ONNX"
          + " Runtime session per partition; writes Parquet (the input columns, the raw outputs and, for a classifier,"
          + " prediction, probability and the class name when the model has names).",
      "The same job runs on a cluster through spark-submit (class dev.rosetta.spark.ScoringJob); here Spark runs in"
          + " this process."})
final class ScoreCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MODEL.onnx", description = "An ONNX file (rosetta export, or any model with float/string inputs).")
  Path model;

  @Option(names = "--data", required = true, paramLabel = "IN", description = "Parquet file or folder, or a CSV file with a header.")
  String data;

  @Option(names = "--out", required = true, paramLabel = "OUT", description = "Parquet folder to write (must not exist).")
  Path out;

  @Option(names = "--master", defaultValue = "local[*]", description = "Spark master (default ${DEFAULT-VALUE}).")
  String master;

  @Option(names = "--input-col", paramLabel = "COL", description = "The array<float>/array<double>/vector column of the model's input (default: features).")
  String inputCol;

  @Option(names = "--input-cols", split = ",", paramLabel = "LIST", description = "Numeric columns that make the model's input, in order (a CSV's default: every column but label).")
  List<String> inputCols;

  @Option(names = "--batch-size", defaultValue = "256", description = "Rows per ONNX Runtime call (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads per task (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--partitions", defaultValue = "0", description = "Repartition the input first (default: as read).")
  int partitions;

  @Option(names = "--json", description = "End with one JSON object of the figures.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() {
    PrintWriter stdout = cmd.commandLine().getOut();
    if (inputCol != null && inputCols != null) {
      throw new Rosetta.UserInputException("--input-col and --input-cols exclude each other");
    }
    if (Files.exists(out)) {
      throw new Rosetta.UserInputException(out + " exists: scoring writes a new Parquet folder");
    }
    if (batchSize < 1 || threads < 0 || partitions < 0) {
      throw new Rosetta.UserInputException("--batch-size must be >= 1, --threads and --partitions >= 0");
    }
    ScoringJob.Options o = new ScoringJob.Options(model, data, out.toString(), master, inputCol, inputCols, batchSize, threads,
        partitions);
    ScoringJob.Summary s = ScoringJob.run(o);
    stdout.printf(Locale.ROOT, "scored %,d rows in %d partitions on %s in %.2f s (%,.0f rows/s, reading and writing included)%n",
        s.rows(), s.partitions(), master, s.seconds(), s.rowsPerSecond());
    stdout.printf(Locale.ROOT, "wrote %s: %s%n", out, String.join(", ", s.columns()));
    if (json) {
      ObjectNode j = Json.object();
      j.put("rows", s.rows());
      j.put("partitions", s.partitions());
      Json.put(j, "seconds", s.seconds());
      Json.put(j, "rows_per_second", s.rowsPerSecond());
      j.put("out", out.toString());
      stdout.println(Json.line(j));
    }
    stdout.flush();
    return Rosetta.OK;
  }
}
