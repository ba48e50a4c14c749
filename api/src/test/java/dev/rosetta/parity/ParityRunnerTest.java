package dev.rosetta.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.train.Backend;
import dev.rosetta.train.TrainableModel;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParityRunnerTest {
  static final ModelSpec SPEC =
      ModelSpec.builder().setInput(3).dense("fc", 2)
          .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).optTraining(2, 4, 3, true).build();

  /**
   * A pure-Java backend for one dense layer, MSE and plain SGD; {@code skew} is added to every
   * output, so two instances disagree by a known amount.
   */
  record JavaDense(String name, float skew) implements Backend {
    @Override
    public Map<String, String> versions() {
      return Map.of();
    }

    @Override
    public List<SpecIssue> unsupported(ModelSpec spec) {
      return List.of();
    }

    @Override
    public TrainableModel create(ModelSpec spec, WeightSet weights) {
      float[] w = weights.get("fc.weight").data().clone();
      float[] b = weights.get("fc.bias").data().clone();
      float lr = (float) spec.optimizer().learningRate();
      return new TrainableModel() {
        @Override
        public float[] predict(float[] x, int n) {
          float[] y = new float[n * 2];
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < 2; j++) {
              float s = b[j] + skew;
              for (int k = 0; k < 3; k++) {
                s += w[j * 3 + k] * x[i * 3 + k];
              }
              y[i * 2 + j] = s;
            }
          }
          return y;
        }

        float[][] grads(Batch batch, float[] lossOut) {
          float[] y = predict(batch.features(), batch.size());
          float[] t = batch.targets(2);
          float[] gw = new float[6];
          float[] gb = new float[2];
          float loss = 0;
          int count = batch.size() * 2;
          for (int i = 0; i < batch.size(); i++) {
            for (int j = 0; j < 2; j++) {
              float d = y[i * 2 + j] - t[i * 2 + j];
              loss += d * d / count;
              gb[j] += 2 * d / count;
              for (int k = 0; k < 3; k++) {
                gw[j * 3 + k] += 2 * d / count * batch.features()[i * 3 + k];
              }
            }
          }
          lossOut[0] = loss;
          return new float[][] {gw, gb};
        }

        @Override
        public float trainStep(Batch batch, long step) {
          float[] loss = new float[1];
          float[][] g = grads(batch, loss);
          for (int i = 0; i < 6; i++) {
            w[i] -= lr * g[0][i];
          }
          for (int j = 0; j < 2; j++) {
            b[j] -= lr * g[1][j];
          }
          return loss[0];
        }

        @Override
        public WeightSet gradients(Batch batch, long step) {
          float[][] g = grads(batch, new float[1]);
          return set(g[0], g[1]);
        }

        @Override
        public WeightSet weights() {
          return set(w.clone(), b.clone());
        }

        WeightSet set(float[] wt, float[] bt) {
          return new WeightSet(
              Map.of("fc.weight", new Tensor(Shape.of(2, 3), wt), "fc.bias", new Tensor(Shape.of(2), bt)));
        }

        @Override
        public ModelSpec spec() {
          return SPEC;
        }

        @Override
        public String backend() {
          return name;
        }

        @Override
        public void close() {}
      };
    }
  }

  static Dataset data(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 3];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(2);
      for (int k = 0; k < 3; k++) {
        x[i * 3 + k] = (float) (r.nextDouble() + (k == y[i] ? 1 : 0));
      }
    }
    return Dataset.classification(Shape.of(3), x, y, "toy");
  }

  @Test
  void identicalBackendsAgreeExactlyAndPass() {
    ParityReport r =
        new ParityRunner(SPEC, data(30, 1), data(20, 2), new JavaDense("a", 0), new JavaDense("b", 0))
            .optSteps(5).run();
    assertEquals(0, r.forwardMaxAbs());
    assertEquals(0, r.gradRelL2());
    assertEquals(0, r.lossMaxRel());
    assertEquals(0, r.weightsRelL2End());
    assertEquals(5, r.weightsStep());
    assertEquals(2 * 8, r.steps(), "30 samples in batches of 4 is 8 batches, twice");
    assertTrue(r.pass(), r.toTable());
  }

  @Test
  void aSkewedBackendFailsTheForwardRowAndDriftsAfterwards() {
    ParityReport r =
        new ParityRunner(SPEC, data(30, 1), data(20, 2), new JavaDense("a", 0), new JavaDense("b", 1e-3f))
            .optSteps(5).run();
    assertEquals(1e-3, r.forwardMaxAbs(), 1e-6);
    assertTrue(r.gradRelL2() > 1e-5);
    assertFalse(r.pass());
    ParityReport.Check forward = r.checks().get(0);
    assertEquals("forward_max_abs", forward.key());
    assertFalse(forward.pass());
    String table = r.toTable();
    assertTrue(table.lines().anyMatch(l -> l.startsWith("forward output at init") && l.endsWith("FAIL")), table);
    assertTrue(table.strip().endsWith("FAIL"), table);
  }

  @Test
  void jsonIsOneLineWithTheAgreedKeys() throws Exception {
    ParityReport r =
        new ParityReport("pytorch", "tensorflow", 1, 938, 6e-8, 1e-7, 2.5e-4, 17, 20, 7e-9, 5e-4, 0.8512, 0.8515);
    String json = r.toJson();
    assertFalse(json.contains("\n"));
    JsonNode n = new ObjectMapper().readTree(json);
    for (String key : List.of("forward_max_abs", "grad_rel_l2", "loss_max_rel", "loss_max_rel_step",
        "weights_rel_l2", "weights_rel_l2_end", "accuracy_pytorch", "accuracy_tensorflow", "pass")) {
      assertTrue(n.has(key), key + " missing in " + json);
    }
    assertEquals(17, n.get("loss_max_rel_step").asInt());
    assertEquals(0.8515, n.get("accuracy_tensorflow").asDouble());
    assertTrue(n.get("pass").asBoolean());
    assertEquals(6, n.get("checks").size());
    assertEquals(0.03, r.accuracyPointsApart(), 1e-9);
  }

  @Test
  void boundsAreTheContractsAndNanNeverPasses() {
    ParityReport r =
        new ParityReport("a", "b", 1, 30, 1e-5, 1e-5, 1e-3, 3, 20, 1e-5, 5e-3, Double.NaN, Double.NaN);
    assertTrue(r.pass(), "values equal to the bounds pass: " + r.toTable());
    assertEquals(5, r.checks().size(), "no accuracy row without a test set");
    ParityReport nan = new ParityReport("a", "b", 1, 30, Double.NaN, 0, 0, 1, 20, 0, 0, 0.5, 0.5);
    assertFalse(nan.pass());
    assertTrue(nan.toJson().contains("\"forward_max_abs\":null"));
  }

  @Test
  void relativeL2IsOverAllTensorsConcatenated() {
    WeightSet a = new WeightSet(Map.of("x", new Tensor(Shape.of(2), new float[] {3, 0}), "y", new Tensor(Shape.of(1), new float[] {4})));
    WeightSet b = new WeightSet(Map.of("x", new Tensor(Shape.of(2), new float[] {3, 0.5f}), "y", new Tensor(Shape.of(1), new float[] {4})));
    assertEquals(0.1, ParityRunner.relL2(a, b), 1e-12);
    assertEquals(0.25, ParityRunner.relDiff(4, 3), 1e-12);
  }
}
