package dev.rosetta.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: local[2], small, quiet, no UI; one session for every test class of the module
 * (Spark's shutdown hook stops it when the JVM ends).
 */
final class SparkTestSession {
  private SparkTestSession() {}

  static SparkSession start() {
    return SparkSession.builder()
        .master("local[2]")
        .appName("rosetta-spark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
  }

  static Path examples() {
    Path p = Path.of(System.getProperty("rosetta.examplesDir", "../examples"));
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("examples folder not found at " + p.toAbsolutePath() + " (set -Drosetta.examplesDir)");
    }
    return p;
  }
}
