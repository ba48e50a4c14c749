package dev.rosetta.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rosetta.spec.Training;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Adam step users get (one call into adam_update.pt over all parameters) against the same
 * update written out op by op: the same bits, for every form of Adam, with per-parameter
 * learning-rate multipliers and with gradient clipping (which hands the update new gradients).
 */
class FusedAdamTest {
  private static final Shape[] SHAPES = {new Shape(7, 5), new Shape(5), new Shape(3, 2, 2)};

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "pytorch form, 0, 0, false, 0",
    "keras form, 0, 0, true, 0",
    "L2 weight decay, 0.01, 0, false, 0",
    "AdamW, 0, 0.05, false, 0",
    "clipped by norm, 0, 0, false, 0.05",
  })
  void fusedStepIsTheOpByOpStepBitForBit(String name, double l2, double decoupled, boolean keras, double clipNorm) {
    Engine engine = Engine.getEngine("PyTorch");
    TorchThreads.use(1);
    GradientClip clip = GradientClip.of(new Training(1, 8, 1, false, 0, clipNorm));
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      List<NDArray> fusedParams = params(root);
      List<NDArray> opParams = params(root);
      double[] multipliers = {1, 0.5, 2};
      List<String> names = List.of("a", "b", "c");
      PytorchOptimizer fused = new PytorchOptimizer.Adam(
          0.01, 0.9, 0.999, 1e-8, l2, decoupled, keras, true, names, fusedParams, root, multipliers);
      PytorchOptimizer byOp = new PytorchOptimizer.Adam(
          0.01, 0.9, 0.999, 1e-8, l2, decoupled, keras, false, names, opParams, root, multipliers);
      StepMemory memory = new StepMemory();
      float[] before = fusedParams.get(0).toFloatArray();
      for (int step = 1; step <= 6; step++) {
        for (var run : List.of(new Object[] {fusedParams, fused}, new Object[] {opParams, byOp})) {
          @SuppressWarnings("unchecked")
          List<NDArray> p = (List<NDArray>) run[0];
          try (NDManager scope = memory.begin(root.newSubManager())) {
            try (GradientCollector c = engine.newGradientCollector()) {
              c.backward(loss(p, step));
            }
            ((PytorchOptimizer) run[1]).step(memory, clip);
          }
        }
        for (int i = 0; i < SHAPES.length; i++) {
          assertBits(opParams.get(i).toFloatArray(), fusedParams.get(i).toFloatArray(), name + ", step " + step + ", parameter " + i);
          assertBits(new float[opParams.get(i).toFloatArray().length], fusedParams.get(i).getGradient().toFloatArray(),
              "gradient zeroed after step " + step);
        }
      }
      assertNotEquals(before[0], fusedParams.get(0).toFloatArray()[0], "the update moved the weights");
      assertEquals(byOp.state().tensors().keySet(), fused.state().tensors().keySet());
      for (String k : byOp.state().tensors().keySet()) {
        assertBits(byOp.state().tensors().get(k), fused.state().tensors().get(k), "optimizer state " + k);
      }
    }
  }

  private static List<NDArray> params(NDManager m) {
    SplittableRandom r = new SplittableRandom(7);
    List<NDArray> out = new ArrayList<>();
    for (Shape s : SHAPES) {
      float[] v = new float[(int) s.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextGaussian();
      }
      NDArray a = m.create(v, s);
      a.setRequiresGradient(true);
      out.add(a);
    }
    return out;
  }

  /** sum over parameters of sum(w^3 * c) with c fixed per step: gradients of every sign and size. */
  private static NDArray loss(List<NDArray> p, int step) {
    NDArray total = null;
    for (int i = 0; i < p.size(); i++) {
      NDArray w = p.get(i);
      NDArray term = w.mul(w).mul(w).mul(w.getManager().full(w.getShape(), 0.3f * (i + 1) - 0.1f * step)).sum();
      total = total == null ? term : total.add(term);
    }
    return total;
  }

  private static void assertBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
          what + " [" + i + "]: " + expected[i] + " vs " + actual[i]);
    }
  }
}
