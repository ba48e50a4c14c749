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
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.NoiseFloor;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.testkit.ForwardingTrainableModel;
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
      public TrainableModel create(CheckedSpec spec, WeightSet weights, Execution execution) {
        TrainableModel m = base.create(spec, weights, execution);
        return new ForwardingTrainableModel(m) {
          @Override
          public float trainStep(Batch batch, long step) {
            float loss = delegate.trainStep(batch, step);
            return step > 8 ? loss * 1.1f : loss;
          }

          @Override
          public String backend() {
            return "late";
          }
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
        "weights_rel_l2", "weights_rel_l2_end", "accuracy_pytorch", "accuracy_tensorflow", "pass", "k", "strict")) {
      assertTrue(n.has(key), key + " missing in " + json);
    }
    assertEquals(17, n.get("loss_max_rel_step").asInt());
    assertEquals(0.8515, n.get("accuracy_tensorflow").asDouble());
    assertTrue(n.get("pass").asBoolean());
    assertEquals(3.0, n.get("k").asDouble());
    assertEquals(6, n.get("checks").size());
    assertEquals("bound", n.get("checks").get(3).get("basis").asText());
    assertTrue(n.get("checks").get(3).get("floor").isNull());
    assertFalse(n.has("noise_floor"), "no floor measured, none written");
    assertEquals(0.03, r.accuracyPointsApart(), 1e-9);
  }

  @Test
  void thePerTensorTableShowsTheFloorColumnOnlyWhenMeasured() {
    java.util.Map<String, ParityReport.TensorDrift> strict = new java.util.LinkedHashMap<>();
    strict.put("conv1.weight", new ParityReport.TensorDrift(7.56e-8, Double.NaN));
    strict.put("bn1.bias", new ParityReport.TensorDrift(5.02e-7, Double.NaN));
    String table = report(strict).perTensorTable();
    assertFalse(table.contains("NaN"), table);
    assertFalse(table.contains("other threads"), table);
    assertTrue(table.contains("conv1.weight  7.56e-08"), table);
    java.util.Map<String, ParityReport.TensorDrift> measured = new java.util.LinkedHashMap<>(strict);
    measured.put("fc.weight", new ParityReport.TensorDrift(1e-7, 2e-7));
    String both = report(measured).perTensorTable();
    assertTrue(both.contains("pytorch on other threads"), both);
    assertTrue(both.matches("(?s).*fc\\.weight\\s+1\\.00e-07\\s+2\\.00e-07.*"), both);
    assertTrue(both.matches("(?s).*bn1\\.bias\\s+5\\.02e-07\\s+-\\s.*"), both);
  }

  private static ParityReport report(java.util.Map<String, ParityReport.TensorDrift> tensors) {
    return new ParityReport("pytorch", "tensorflow", 1, 938, 6e-8, 1e-7, 2.5e-4, 17, 20, 7e-9, 5e-4, 0.85, 0.85,
        NoiseFloor.NONE, true, ParityReport.K, tensors, Double.NaN, Double.NaN);
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
  void theNoiseFloorIsMeasuredByDefaultOnBothKinds() throws Exception {
    ParityReport r =
        new ParityRunner(SPEC, data(30, 1), data(20, 2), javaDense("a", 0), javaDense("b", 0)).optSteps(1).run();
    NoiseFloor f = r.noiseFloor();
    assertTrue(f.measured());
    // The fake runs one thread whatever it is asked, so only the nudges move its copy: the
    // floor is the nudge copy's, small, and not zero.
    assertEquals(NoiseFloor.Kind.NUDGE, f.lossMaxRel().kind());
    assertTrue(f.lossMaxRel().value() > 0 && f.lossMaxRel().value() < 1e-5, f.toString());
    assertTrue(f.weightsRelL2End().value() > 0 && f.weightsRelL2End().value() < 1e-5, f.toString());
    // The candidate is an identical backend: its own figures stay exactly 0.
    assertEquals(0, r.weightsRelL2End());
    assertTrue(r.pass(), r.toTable());
    assertFalse(r.checks().get(0).floor().measured(), "no floor for the forward row at init");
    assertFalse(r.checks().get(2).floor().measured(), "no floor for the weights after N steps");
    assertEquals(f.weightsRelL2End(), r.checks().get(4).floor());
    assertTrue(r.toTable().lines().findFirst().orElseThrow().contains("noise floor"), r.toTable());
    JsonNode n = new ObjectMapper().readTree(r.toJson());
    assertEquals("nudge", n.get("noise_floor_kind").get("loss_max_rel").asText());
    assertEquals(f.lossMaxRel().value(), n.get("noise_floor").get("loss_max_rel").asDouble());
  }

  @Test
  void theNoiseFloorCanBeLeftOut() throws Exception {
    ParityReport r = new ParityRunner(SPEC, data(30, 1), data(20, 2), javaDense("a", 0), javaDense("b", 0))
        .optNoiseFloor(false).run();
    assertFalse(r.noiseFloor().measured());
    assertFalse(r.toTable().contains("noise floor"), r.toTable());
    JsonNode n = new ObjectMapper().readTree(r.toJson());
    assertFalse(n.has("noise_floor"));
  }

  @Test
  void nudgeMovesEveryValueOfTheNamedTensorsByAtMostOneUlpBothWays() {
    float[] v = new float[3000];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % 5 == 0 ? 0f : (float) Math.sin(i);
    }
    WeightSet w = new WeightSet(Map.of("t", new Tensor(Shape.of(v.length), v), "u", new Tensor(Shape.of(1), new float[] {1f})));
    WeightSet n = ParityRunner.nudge(w, java.util.Set.of("t"), 42, 7);
    float[] out = n.get("t").data();
    int up = 0;
    int down = 0;
    for (int i = 0; i < v.length; i++) {
      if (out[i] == Math.nextUp(v[i])) {
        up++;
      } else if (out[i] == Math.nextDown(v[i])) {
        down++;
      } else {
        assertEquals(v[i], out[i], "index " + i + " moved by more than one ulp");
      }
    }
    // About a third each way: every value's rounding changes, the weights are pushed no way.
    assertEquals(1000, up, 100);
    assertEquals(1000, down, 100);
    assertEquals(1f, n.get("u").data()[0], "only the named tensors move");
    assertEquals(n, ParityRunner.nudge(w, java.util.Set.of("t"), 42, 7), "the same seed and step, the same nudge");
    assertFalse(n.equals(ParityRunner.nudge(w, java.util.Set.of("t"), 42, 8)), "each step its own nudge");
    assertEquals((float) Math.sin(1), v[1], "the input is not changed");
  }

  /** Seed-MLP-like one-epoch figures: loss 4e-2 and end weights 3e-2, beyond their fixed bounds. */
  static ParityReport failing(NoiseFloor floor) {
    return new ParityReport("pytorch", "tensorflow", 1, 938, 6e-8, 1e-7, 4e-2, 700, 20, 7e-9, 3e-2, 0.85, 0.846,
        floor, false, ParityReport.K);
  }

  static NoiseFloor floor(double loss, double weights, double points) {
    return new NoiseFloor(new NoiseFloor.Row(loss, NoiseFloor.Kind.THREADS),
        new NoiseFloor.Row(weights, NoiseFloor.Kind.NUDGE), new NoiseFloor.Row(points, NoiseFloor.Kind.THREADS));
  }

  @Test
  void trajectoryRowsPassWithinKTimesTheirFloor() throws Exception {
    ParityReport r = failing(floor(2e-2, 1.5e-2, 0.3));
    assertTrue(r.pass(), r.toTable());
    List<ParityReport.Check> c = r.checks();
    assertEquals(ParityReport.Basis.FLOOR, c.get(3).basis(), "loss 4e-2 <= 3 x 2e-2");
    assertEquals(ParityReport.Basis.FLOOR, c.get(4).basis(), "weights 3e-2 <= 3 x 1.5e-2");
    assertEquals(ParityReport.Basis.BOUND, c.get(5).basis(), "accuracy 0.4 points is within 0.5");
    assertEquals("PASS (4.00e-02 <= 3 x floor 2.00e-02)", c.get(3).verdict());
    String table = r.toTable();
    assertTrue(table.contains("2.00e-02 (threads)"), table);
    assertTrue(table.contains("1.50e-02 (nudge)"), table);
    JsonNode n = new ObjectMapper().readTree(r.toJson());
    assertTrue(n.get("pass").asBoolean());
    assertEquals("floor", n.get("checks").get(3).get("basis").asText());
    assertEquals("threads", n.get("checks").get(3).get("floor_kind").asText());
    assertEquals("nudge", n.get("noise_floor_kind").get("weights_rel_l2_end").asText());
  }

  @Test
  void beyondKTimesTheFloorOrStrictlyTheRowFails() throws Exception {
    // Loss 4e-2 is 40x a floor of 1e-3: a backend disagreement, not chaos.
    ParityReport r = failing(floor(1e-3, 1.5e-2, 0.3));
    assertFalse(r.pass());
    assertEquals(ParityReport.Basis.FAIL, r.checks().get(3).basis());
    assertEquals("FAIL (> 3 x floor 1.00e-03)", r.checks().get(3).verdict());
    assertEquals(ParityReport.Basis.FLOOR, r.checks().get(4).basis());
    assertTrue(r.toTable().strip().endsWith("FAIL"), r.toTable());
    // --strict judges by the fixed bounds alone, the floor still shown nowhere.
    ParityReport strict = failing(floor(2e-2, 1.5e-2, 0.3)).strictly();
    assertFalse(strict.pass());
    assertEquals(ParityReport.Basis.FAIL, strict.checks().get(3).basis());
    assertTrue(strict.toTable().contains("strict"), strict.toTable());
    assertTrue(new ObjectMapper().readTree(strict.toJson()).get("strict").asBoolean());
    // A zero floor (or none) never excuses anything; the rows at init never use one.
    assertFalse(failing(floor(0, 0, 0)).pass());
    assertFalse(failing(NoiseFloor.NONE).pass());
    ParityReport forward = new ParityReport("a", "b", 1, 938, 2e-5, 1e-7, 1e-4, 7, 20, 7e-9, 1e-4, 0.85, 0.85,
        floor(1, 1, 1), false, ParityReport.K);
    assertEquals(ParityReport.Basis.FAIL, forward.checks().get(0).basis(), "the forward row has no floor");
  }

  @Test
  void relativeL2IsOverAllTensorsConcatenated() {
    WeightSet a = new WeightSet(Map.of("x", new Tensor(Shape.of(2), new float[] {3, 0}), "y", new Tensor(Shape.of(1), new float[] {4})));
    WeightSet b = new WeightSet(Map.of("x", new Tensor(Shape.of(2), new float[] {3, 0.5f}), "y", new Tensor(Shape.of(1), new float[] {4})));
    assertEquals(0.1, ParityRunner.relL2(a, b), 1e-12);
    assertEquals(0.25, ParityRunner.relDiff(4, 3), 1e-12);
  }
}
