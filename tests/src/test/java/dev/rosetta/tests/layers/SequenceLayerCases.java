package dev.rosetta.tests.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.data.Batch;
import dev.rosetta.data.DataException;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.testkit.JavaReferenceModel;
import dev.rosetta.testkit.SyntheticData;
import dev.rosetta.testkit.TestSpecs;
import dev.rosetta.train.Evaluator;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Token input, embedding, position embedding and multi-head attention on every backend, through
 * the SPI alone: outputs against the kit's {@link JavaReferenceModel} (at the full length and
 * shorter), gradients against finite differences of the reference's loss (in double, so a
 * wrong gradient that TensorFlow would build without complaint shows), the sequence loss with
 * ignore_index, and bad token input refused before it reaches native code. One subclass per
 * backend.
 */
abstract class SequenceLayerCases {
  /** The backend under test; one subclass per backend. */
  abstract Backend backend();

  static int[] ids(int n, int length, int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] x = new int[n * length];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextInt(vocab);
    }
    return x;
  }

  @Test
  void causalModelMatchesTheReferenceAtFullAndShorterLengths() {
    CheckedSpec spec = TestSpecs.tinyGpt();
    WeightSet w = Initializer.initialize(spec);
    try (TrainableModel m = backend().create(spec, w); InferenceModel ref = new JavaReferenceModel(spec, w)) {
      for (int length : new int[] {6, 3, 1}) {
        int[] x = ids(5, length, 11, length);
        float[] got = m.predictTokens(x, 5, length);
        assertEquals(5 * length * 11, got.length);
        assertArrayEquals(ref.predictTokens(x, 5, length), got, 2e-5f, "length " + length);
      }
      // Causal: the first three positions of a sequence do not depend on what follows them.
      int[] full = ids(1, 6, 11, 9);
      float[] six = m.predictTokens(full, 1, 6);
      float[] three = m.predictTokens(Arrays.copyOf(full, 3), 1, 3);
      assertArrayEquals(Arrays.copyOf(six, 33), three, 1e-5f);
    }
  }

  @Test
  void bidirectionalAttentionWithoutBiasMatchesTheReference() {
    CheckedSpec spec = ModelSpec.builder().setTokenInput(5)
        .embedding("tok", 7, 6)
        .add(new Layer.MultiHeadAttention("attn", 3, false, false, 0, dev.rosetta.spec.Init.XAVIER_UNIFORM,
            dev.rosetta.spec.Init.UNIFORM_FAN_IN, dev.rosetta.spec.Init.ZEROS))
        .dense("head", 7)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = Initializer.initialize(spec);
    try (TrainableModel m = backend().create(spec, w); InferenceModel ref = new JavaReferenceModel(spec, w)) {
      int[] x = ids(4, 5, 7, 3);
      assertArrayEquals(ref.predictTokens(x, 4, 5), m.predictTokens(x, 4, 5), 2e-5f);
      int[] shorter = ids(2, 2, 7, 4);
      assertArrayEquals(ref.predictTokens(shorter, 2, 2), m.predictTokens(shorter, 2, 2), 2e-5f);
    }
  }

  /**
   * Every parameter's gradient (a few coordinates of each) against central differences of the
   * mean next-token loss, the loss computed by {@link Evaluator} from the reference's outputs.
   */
  @Test
  void gradientsMatchFiniteDifferences() {
    CheckedSpec spec = TestSpecs.tinyGpt();
    WeightSet w = Initializer.initialize(spec);
    Dataset data = SyntheticData.nextTokens(6, 11, 4, 21);
    Batch batch = data.slice(0, 4);
    WeightSet g;
    try (TrainableModel m = backend().create(spec, w)) {
      g = m.gradients(batch, 1);
    }
    assertEquals(w.names().stream().toList(), g.names().stream().toList());
    double eps = 1e-2;
    SplittableRandom r = new SplittableRandom(5);
    for (String name : g.names()) {
      float[] grad = g.get(name).data();
      for (int probe = 0; probe < 3; probe++) {
        int i = r.nextInt(grad.length);
        double up = loss(spec, nudged(w, name, i, eps), data);
        double down = loss(spec, nudged(w, name, i, -eps), data);
        double fd = (up - down) / (2 * eps);
        assertEquals(fd, grad[i], 2e-3 + 2e-2 * Math.abs(fd), name + "[" + i + "]: finite difference " + fd + ", backend " + grad[i]);
      }
    }
  }

  private static double loss(CheckedSpec spec, WeightSet w, Dataset data) {
    return Evaluator.evaluate(new JavaReferenceModel(spec, w), spec, data).loss();
  }

  private static WeightSet nudged(WeightSet w, String name, int i, double by) {
    Map<String, Tensor> out = new LinkedHashMap<>(w.tensors());
    float[] v = w.get(name).data().clone();
    v[i] += (float) by;
    out.put(name, new Tensor(w.get(name).shape(), v));
    return new WeightSet(out);
  }

  /**
   * The loss a train step reports is the mean over the labels that are not ignore_index, as
   * the evaluator computes it from the reference; an ignored label moves nothing.
   */
  @Test
  void sequenceLossIsTheMeanOverCountedTokens() {
    CheckedSpec base = TestSpecs.tinyGpt();
    CheckedSpec spec = new ModelSpec(base.name(), base.input(), base.inputType(), base.layers(), base.spec().connections(),
        Loss.CrossEntropy.ignoring(3), base.optimizer(), base.training()).check();
    WeightSet w = Initializer.initialize(spec);
    Dataset data = SyntheticData.nextTokens(6, 11, 8, 31);
    float want = (float) Evaluator.evaluate(new JavaReferenceModel(spec, w), spec, data).loss();
    float all = (float) Evaluator.evaluate(new JavaReferenceModel(base, w), base, data).loss();
    assertNotEquals(want, all, 1e-4f, "some labels are 3, and leaving them out changes the mean");
    try (TrainableModel m = backend().create(spec, w)) {
      assertEquals(want, m.trainStep(data.slice(0, 8), 1), 1e-5f);
    }
    // Every label ignored: loss 0 and no gradient.
    int[] labels = new int[6];
    Arrays.fill(labels, 3);
    Batch ignored = new Batch(dev.rosetta.spec.Shape.of(6), null, ids(1, 6, 11, 2), labels, null, 1);
    try (TrainableModel m = backend().create(spec, w)) {
      WeightSet g = m.gradients(ignored, 1);
      for (String name : g.names()) {
        for (float v : g.get(name).data()) {
          assertEquals(0f, v, 0f, name);
        }
      }
      assertEquals(0f, m.trainStep(ignored, 1), 0f);
    }
  }

  /** Attention dropout: the training output differs from evaluation, deterministically per step. */
  @Test
  void attentionDropoutIsSeededPerStep() {
    CheckedSpec spec = TestSpecs.tinyGpt(true, 0.5);
    WeightSet w = Initializer.initialize(spec);
    Batch b = SyntheticData.nextTokens(6, 11, 3, 8).slice(0, 3);
    try (TrainableModel m = backend().create(spec, w)) {
      float[] eval = m.predictTokens(b.tokens(), 3, 6);
      float[] step1 = m.trainingOutput(b, 1);
      assertArrayEquals(step1, m.trainingOutput(b, 1), 0f, "the same step draws the same masks");
      assertNotEquals(Arrays.hashCode(eval), Arrays.hashCode(step1));
      assertNotEquals(Arrays.hashCode(step1), Arrays.hashCode(m.trainingOutput(b, 2)));
    }
  }

  @Test
  void badTokenInputIsAnErrorNamingWhere() {
    CheckedSpec spec = TestSpecs.tinyGpt();
    try (TrainableModel m = backend().create(spec, Initializer.initialize(spec))) {
      int[] x = ids(2, 6, 11, 1);
      x[9] = 11;
      DataException e = assertThrows(DataException.class, () -> m.predictTokens(x, 2, 6));
      assertTrue(e.getMessage().contains("token id 11 at sequence 1, position 3"), e.getMessage());
      assertTrue(e.getMessage().contains("vocab_size 11"), e.getMessage());
      x[9] = -1;
      assertThrows(DataException.class, () -> m.predictTokens(x, 2, 6));
      DataException tooLong = assertThrows(DataException.class, () -> m.predictTokens(ids(1, 7, 11, 1), 1, 7));
      assertTrue(tooLong.getMessage().contains("longer than the 6"), tooLong.getMessage());
      Batch bad = new Batch(dev.rosetta.spec.Shape.of(6), null, x, new int[12], null, 2);
      assertThrows(DataException.class, () -> m.trainStep(bad, 1));
    }
  }
}
