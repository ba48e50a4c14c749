/**
 * Rosetta on Apache Spark: {@link dev.rosetta.spark.OnnxTransformer}, a Spark ML stage that scores
 * exported ONNX models with ONNX Runtime, one session per partition; {@link
 * dev.rosetta.spark.ScoringJob}, its {@code spark-submit} entry point; and {@link
 * dev.rosetta.spark.SparkTrials}, which runs a sweep's trials as Spark tasks.
 */
package dev.rosetta.spark;
