package dev.rosetta.tests.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.data.Batch;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.testkit.FakeBackend;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParityRunnerTest {
  static final CheckedSpec SPEC =
      ModelSpec.builder().setInput(3).dense("fc", 2)
          .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).optTraining(2, 4, 3, true).build();

  /** A pure-Java backend for one dense layer, MSE and plain SGD; {@code skew} is added to every output. */
  static FakeBackend javaDense(String name, float skew) {
    return FakeBackend.named(name).withSkew(skew);
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
        new ParityRunner(SPEC, data(30, 1), data(20, 2), javaDense("a", 0), javaDense("b", 0))
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
        new ParityRunner(SPEC, data(30, 1), data(20, 2), javaDense("a", 0), javaDense("b", 1e-3f))
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
  void trajectoryRowsCoverTheFirstEpochAsTheContractSays() {
    // The candidate reports a 10% different loss from epoch 2 on (step > 8): the contract's
    // per-step loss row is about epoch 1, so it passes; later epochs feed only the accuracy row.
    Backend base = javaDense("late", 0);
    Backend late = new Backend() {
      @Override
      public String name() {
        return "late";
      }

      @Override
      public Map<String, String> versions() {
        return Map.of();
      }

      @Override
      public TrainableModel create(CheckedSpec spec, WeightSet weights) {
        TrainableModel m = base.create(spec, weights);
        return new TrainableModel() {
          @Override
          public float trainStep(Batch batch, long step) {
            float loss = m.trainStep(batch, step);
            return step > 8 ? loss * 1.1f : loss;
          }

          @Override
          public WeightSet gradients(Batch batch, long step) {
            return m.gradients(batch, step);
          }

          @Override
          public float[] trainingOutput(Batch batch, long step) {
            return m.trainingOutput(batch, step);
          }

          @Override
          public WeightSet weights() {
            return m.weights();
          }

          @Override
          public float[] predict(float[] x, int n) {
            return m.predict(x, n);
          }

          @Override
          public CheckedSpec spec() {
            return spec;
          }

          @Override
          public String backend() {
            return "late";
          }

          @Override
          public void close() {}
        };
      }
    };
    ParityReport r = new ParityRunner(SPEC, data(30, 1), data(20, 2), javaDense("a", 0), late).optSteps(5).run();
    assertEquals(16, r.steps());
    assertEquals(0, r.lossMaxRel(), r.toTable());
    assertEquals(0, r.weightsRelL2End());
    assertTrue(r.toTable().contains("weights after epoch 1 (8 steps)"), r.toTable());
    assertTrue(r.pass(), r.toTable());
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
  void noiseFloorOfADeterministicBackendAgainstItselfIsSmallButNotZero() {
    ParityReport r =
        new ParityRunner(SPEC, data(30, 1), data(20, 2), javaDense("a", 0), javaDense("b", 0))
            .optSteps(1).optNoiseFloor(true).run();
    ParityReport.NoiseFloor f = r.noiseFloor();
    assertTrue(f.measured());
    // The nudged start differs from the reference, so the first steps do too, by float32
    // rounding only: far below every bound.
    assertTrue(f.weightsRelL2() > 0 && f.weightsRelL2() < 1e-6, f.toString());
    assertTrue(f.lossMaxRel() > 0 && f.lossMaxRel() < 1e-5, f.toString());
    // This linear least-squares model contracts: the ulps are rounded away within a few steps
    // and the weights end bit-identical. A zero floor is the opposite of chaos, and honest.
    assertTrue(f.weightsRelL2End() < 1e-7, f.toString());
    assertEquals(0, f.accuracyPointsApart(), "one ulp does not flip a toy prediction");
    // The candidate is an identical backend: its own figures stay exactly 0, the floor changes nothing.
    assertEquals(0, r.weightsRelL2End());
    assertTrue(r.pass(), r.toTable());
    assertTrue(Double.isNaN(r.checks().get(0).noiseFloor()), "no floor for the forward row at init");
    assertTrue(Double.isNaN(r.checks().get(1).noiseFloor()), "no floor for the gradient row at init");
    assertEquals(f.weightsRelL2End(), r.checks().get(4).noiseFloor());
    assertTrue(r.toTable().lines().findFirst().orElseThrow().contains("noise floor"), r.toTable());
  }

  @Test
  void noiseFloorIsOffByDefault() throws Exception {
    ParityReport r =
        new ParityRunner(SPEC, data(30, 1), data(20, 2), javaDense("a", 0), javaDense("b", 0)).run();
    assertFalse(r.noiseFloor().measured());
    assertFalse(r.toTable().contains("noise floor"), r.toTable());
    JsonNode n = new ObjectMapper().readTree(r.toJson());
    assertFalse(n.has("noise_floor"));
    assertFalse(n.has("failures_at_noise_floor"));
  }

  @Test
  void nudgeMovesEverySeventhValueUpByOneUlp() {
    float[] v = {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, -1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
    WeightSet w = new WeightSet(Map.of("t", new Tensor(Shape.of(16), v)));
    float[] out = ParityRunner.nudge(w).get("t").data();
    for (int i = 0; i < v.length; i++) {
      float expected = i % 7 == 0 ? Math.nextUp(v[i]) : v[i];
      assertEquals(expected, out[i], "index " + i);
    }
    assertEquals(Float.MIN_VALUE, out[14], "a zero becomes the smallest subnormal");
    assertEquals(1f, v[0], "the input is not changed");
  }

  /** Seed-MLP-like one-epoch figures: the candidate fails the loss and end-weights rows. */
  static ParityReport failing(ParityReport.NoiseFloor floor) {
    return new ParityReport("pytorch", "tensorflow", 1, 938, 6e-8, 1e-7, 4e-2, 700, 20, 7e-9, 3e-2, 0.85, 0.846, floor);
  }

  @Test
  void failuresWithinTenTimesTheFloorAreAnnotatedButStillFail() throws Exception {
    ParityReport r = failing(new ParityReport.NoiseFloor(5e-9, 3e-2, 2.5e-2, 0.3));
    assertFalse(r.pass(), "the contract is the contract");
    List<ParityReport.Check> c = r.checks();
    assertTrue(c.get(3).failsAtNoiseFloor(), "loss 4e-2 vs floor 3e-2");
    assertTrue(c.get(4).failsAtNoiseFloor(), "weights 3e-2 vs floor 2.5e-2");
    assertFalse(c.get(2).failsAtNoiseFloor(), "a passing row is not annotated");
    assertTrue(r.failuresAtNoiseFloor());
    String table = r.toTable();
    assertTrue(table.lines().anyMatch(l -> l.startsWith("per-step loss") && l.endsWith(ParityReport.AT_NOISE_FLOOR)), table);
    assertTrue(table.lines().anyMatch(l -> l.startsWith("noise floor:") && l.contains("not a backend bug")), table);
    assertTrue(table.strip().endsWith("FAIL"), table);
    JsonNode n = new ObjectMapper().readTree(r.toJson());
    assertFalse(n.get("pass").asBoolean());
    assertTrue(n.get("failures_at_noise_floor").asBoolean());
    JsonNode floor = n.get("noise_floor");
    assertEquals(List.of("weights_rel_l2", "loss_max_rel", "weights_rel_l2_end", "accuracy_points_apart"),
        iterable(floor.fieldNames()));
    assertEquals(3e-2, floor.get("loss_max_rel").asDouble());
    for (String key : List.of("forward_max_abs", "loss_max_rel", "weights_rel_l2_end", "accuracy_pytorch", "checks")) {
      assertTrue(n.has(key), key);
    }
  }

  @Test
  void failuresBeyondTenTimesTheFloorAreNotAnnotated() throws Exception {
    // Loss 4e-2 is 40x its floor of 1e-3: that is a backend disagreement, not chaos.
    ParityReport r = failing(new ParityReport.NoiseFloor(5e-9, 1e-3, 2.5e-2, 0.3));
    assertFalse(r.checks().get(3).failsAtNoiseFloor());
    assertTrue(r.checks().get(4).failsAtNoiseFloor());
    assertFalse(r.failuresAtNoiseFloor(), "one failing row is beyond its floor");
    String table = r.toTable();
    assertTrue(table.lines().anyMatch(l -> l.startsWith("per-step loss") && l.endsWith("  FAIL")), table);
    assertFalse(new ObjectMapper().readTree(r.toJson()).get("failures_at_noise_floor").asBoolean());
    // A floor of 0 (or none) never excuses anything.
    ParityReport zero = failing(new ParityReport.NoiseFloor(0, 0, 0, 0));
    assertTrue(zero.checks().stream().noneMatch(ParityReport.Check::failsAtNoiseFloor));
    assertFalse(zero.toTable().contains("within 10x"), zero.toTable());
    ParityReport none = failing(ParityReport.NoiseFloor.NONE);
    assertFalse(none.failuresAtNoiseFloor());
    assertFalse(none.toTable().contains("noise floor"), none.toTable());
  }

  static List<String> iterable(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void relativeL2IsOverAllTensorsConcatenated() {
    WeightSet a = new WeightSet(Map.of("x", new Tensor(Shape.of(2), new float[] {3, 0}), "y", new Tensor(Shape.of(1), new float[] {4})));
    WeightSet b = new WeightSet(Map.of("x", new Tensor(Shape.of(2), new float[] {3, 0.5f}), "y", new Tensor(Shape.of(1), new float[] {4})));
    assertEquals(0.1, ParityRunner.relL2(a, b), 1e-12);
    assertEquals(0.25, ParityRunner.relDiff(4, 3), 1e-12);
  }
}
