package dev.rosetta.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Metrics against figures computed by hand on a small confusion matrix (with a class never
 * predicted and a class absent from the labels) and against scikit-learn 1.9 on a larger fixture
 * (src/test/python/metrics_fixture.py wrote it once; the build does not run Python).
 */
class ClassificationMetricsTest {
  static final double EPS = 1e-12;

  /**
   * Labels and predictions over classes a, b, c, d: 10 rows. Confusion (rows true, columns
   * predicted):
   * <pre>
   *        a  b  c  d
   *   a    3  1  0  0
   *   b    1  2  0  0
   *   c    2  1  0  0     c is never predicted
   *   d    0  0  0  0     d never occurs at all
   * </pre>
   */
  static final int[] LABELS = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2};
  static final int[] PREDICTED = {0, 0, 0, 1, 0, 1, 1, 0, 0, 1};

  @Test
  void handComputedFigures() {
    ClassificationMetrics m = ClassificationMetrics.of(LABELS, PREDICTED, null, List.of("a", "b", "c", "d"));
    assertArrayEquals(new int[] {3, 1, 0, 0}, m.confusion()[0]);
    assertArrayEquals(new int[] {1, 2, 0, 0}, m.confusion()[1]);
    assertArrayEquals(new int[] {2, 1, 0, 0}, m.confusion()[2]);
    assertArrayEquals(new int[] {0, 0, 0, 0}, m.confusion()[3]);
    assertEquals(0.5, m.accuracy(), EPS); // 5 of 10
    // a: predicted 6 times, 3 right; 4 true.  precision 1/2, recall 3/4, F1 = 2*(1/2)(3/4)/(5/4) = 3/5
    assertPerClass(m.perClass().get(0), 0.5, 0.75, 0.6, 4);
    // b: predicted 4 times, 2 right; 3 true.  precision 1/2, recall 2/3, F1 = 2*(1/3)/(7/6) = 4/7
    assertPerClass(m.perClass().get(1), 0.5, 2.0 / 3, 4.0 / 7, 3);
    // c: never predicted: precision 0 (zero division), recall 0, F1 0.
    assertPerClass(m.perClass().get(2), 0, 0, 0, 3);
    // d: neither true nor predicted: all 0, and left out of the macro average.
    assertPerClass(m.perClass().get(3), 0, 0, 0, 0);
    assertEquals((0.5 + 0.5 + 0) / 3, m.macro().precision(), EPS);
    assertEquals((0.75 + 2.0 / 3 + 0) / 3, m.macro().recall(), EPS);
    assertEquals((0.6 + 4.0 / 7 + 0) / 3, m.macro().f1(), EPS);
    // weighted by support 4, 3, 3 over 10 rows
    assertEquals((4 * 0.5 + 3 * 0.5) / 10, m.weighted().precision(), EPS);
    assertEquals((4 * 0.75 + 3 * 2.0 / 3) / 10, m.weighted().recall(), EPS);
    assertEquals((4 * 0.6 + 3 * 4.0 / 7) / 10, m.weighted().f1(), EPS);
    assertTrue(Double.isNaN(m.rocAuc()), "ROC AUC is for two classes only");
  }

  @Test
  void rocAucCountsTiesHalf() {
    // positives score 0.9, 0.5; negatives 0.5, 0.1: pairs (0.9>0.5, 0.9>0.1, 0.5=0.5 half, 0.5>0.1) = 3.5/4
    int[] y = {1, 1, 0, 0};
    double[] s = {0.9, 0.5, 0.5, 0.1};
    assertEquals(0.875, ClassificationMetrics.rocAuc(y, s), EPS);
    assertTrue(Double.isNaN(ClassificationMetrics.rocAuc(new int[] {1, 1}, new double[] {0.2, 0.3})));
  }

  @Test
  void agreesWithScikitLearnOnMulticlass() throws IOException {
    JsonNode f = fixture().get("multiclass");
    ClassificationMetrics m = ClassificationMetrics.of(ints(f.get("labels")), ints(f.get("predicted")), null,
        List.of("0", "1", "2", "3"));
    assertEquals(f.get("accuracy").asDouble(), m.accuracy(), EPS);
    for (int c = 0; c < 4; c++) {
      assertPerClass(m.perClass().get(c), f.get("precision").get(c).asDouble(), f.get("recall").get(c).asDouble(),
          f.get("f1").get(c).asDouble(), f.get("support").get(c).asInt());
      assertArrayEquals(ints(f.get("confusion").get(c)), m.confusion()[c]);
    }
    assertEquals(0, m.perClass().get(3).predicted(), "the fixture's class 3 is never predicted");
    assertEquals(f.get("macro").get(0).asDouble(), m.macro().precision(), EPS);
    assertEquals(f.get("macro").get(1).asDouble(), m.macro().recall(), EPS);
    assertEquals(f.get("macro").get(2).asDouble(), m.macro().f1(), EPS);
    assertEquals(f.get("weighted").get(0).asDouble(), m.weighted().precision(), EPS);
    assertEquals(f.get("weighted").get(1).asDouble(), m.weighted().recall(), EPS);
    assertEquals(f.get("weighted").get(2).asDouble(), m.weighted().f1(), EPS);
  }

  @Test
  void agreesWithScikitLearnOnBinary() throws IOException {
    JsonNode f = fixture().get("binary");
    double[] score = new double[f.get("score").size()];
    for (int i = 0; i < score.length; i++) {
      score[i] = f.get("score").get(i).asDouble();
    }
    ClassificationMetrics m = ClassificationMetrics.of(ints(f.get("labels")), ints(f.get("predicted")), score, List.of("no", "yes"));
    assertEquals(f.get("roc_auc").asDouble(), m.rocAuc(), EPS);
    assertEquals(f.get("f1").get(0).asDouble(), m.perClass().get(0).f1(), EPS);
    assertEquals(f.get("f1").get(1).asDouble(), m.perClass().get(1).f1(), EPS);
  }

  @Test
  void regressionAgreesWithScikitLearn() throws IOException {
    JsonNode f = fixture().get("regression");
    float[] t = floats(f.get("targets"));
    float[] o = floats(f.get("outputs"));
    RegressionMetrics r = RegressionMetrics.of(o, t, 1);
    assertEquals(f.get("mae").asDouble(), r.mae(), 1e-12);
    assertEquals(f.get("rmse").asDouble(), r.rmse(), 1e-12);
    assertEquals(f.get("r2").asDouble(), r.r2(), 1e-12);
  }

  @Test
  void regressionByHand() {
    // targets 1, 2, 3; outputs 1, 3, 2: errors 0, 1, -1. MAE 2/3, RMSE sqrt(2/3), R² = 1 - 2/2 = 0
    RegressionMetrics r = RegressionMetrics.of(new float[] {1, 3, 2}, new float[] {1, 2, 3}, 1);
    assertEquals(2.0 / 3, r.mae(), EPS);
    assertEquals(Math.sqrt(2.0 / 3), r.rmse(), EPS);
    assertEquals(0, r.r2(), EPS);
    assertEquals(1, RegressionMetrics.of(new float[] {5, 5}, new float[] {5, 5}, 1).r2(), EPS);
  }

  static void assertPerClass(ClassificationMetrics.PerClass c, double p, double r, double f1, int support) {
    assertEquals(p, c.precision(), EPS, c.name() + " precision");
    assertEquals(r, c.recall(), EPS, c.name() + " recall");
    assertEquals(f1, c.f1(), EPS, c.name() + " f1");
    assertEquals(support, c.support(), c.name() + " support");
  }

  static JsonNode fixture() throws IOException {
    try (InputStream in = ClassificationMetricsTest.class.getResourceAsStream("sklearn-fixture.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static int[] ints(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asInt();
    }
    return out;
  }

  static float[] floats(JsonNode a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.get(i).asDouble();
    }
    return out;
  }
}
