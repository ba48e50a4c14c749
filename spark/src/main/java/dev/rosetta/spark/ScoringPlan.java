package dev.rosetta.spark;

import java.io.Serializable;
import java.util.List;

/**
 * Everything a task needs to score its partition, decided on the driver: which columns fill which
 * input tensor, which outputs become which columns, and the classifier columns derived from the
 * first output. Checked against the table's schema before any job runs.
 *
 * @param outputs raw output tensors and their columns ({@code array<float>} each)
 * @param predictionCol the argmax of the first output as a double (Spark ML's convention), or null
 * @param probabilityCol the first output as probabilities ({@code array<float>}), or null
 * @param labelCol the predicted class's name, or null (also when the model carries no names)
 * @param logits whether the first output holds logits (probabilities are their softmax) rather than probabilities
 * @param classes the class names, or null
 * @param batchSize rows per ONNX Runtime call
 * @param threads ONNX Runtime intra-op threads per task
 */
record ScoringPlan(
    String source, List<Feed> feeds, List<Output> outputs, String predictionCol, String probabilityCol, String labelCol,
    boolean logits, List<String> classes, int batchSize, int threads) implements Serializable {
  private static final long serialVersionUID = 1L;

  ScoringPlan {
    feeds = List.copyOf(feeds);
    outputs = List.copyOf(outputs);
    classes = classes == null ? null : List.copyOf(classes);
  }

  /** One output tensor written to one column. */
  record Output(ModelSignature.Tensor tensor, String column, int width) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** Whether the plan derives class columns from the first output. */
  boolean classifies() {
    return predictionCol != null || probabilityCol != null || labelCol != null;
  }

  /** How many columns the plan adds to each row. */
  int added() {
    return outputs.size() + (predictionCol == null ? 0 : 1) + (probabilityCol == null ? 0 : 1) + (labelCol == null ? 0 : 1);
  }
}
