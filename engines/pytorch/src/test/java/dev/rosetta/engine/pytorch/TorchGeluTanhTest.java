package dev.rosetta.engine.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * The tanh GELU runs libtorch's fused kernel, not the formula written out: autograd records one
 * GeluBackward node, and the values and gradients are the formula's (computed in double here).
 * The layer-level checks on every backend are in tests/ (ActivationLayerCases).
 */
class TorchGeluTanhTest {
  private static final double C = Math.sqrt(2 / Math.PI);
  private static final double K = 0.044715;

  @Test
  void oneLibtorchKernelForwardAndBackward() {
    Engine engine = Engine.getEngine("PyTorch");
    TorchThreads.use(1);
    float[] xs = {-4f, -1.5f, -0.3f, 0f, 0.2f, 0.9f, 2.5f, 6f};
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.create(xs);
      x.setRequiresGradient(true);
      TorchGeluTanh gelu = new TorchGeluTanh();
      try (GradientCollector c = engine.newGradientCollector()) {
        NDArray y = gelu.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
        // The formula written out would end in MulBackward0 (its last op, x/2 times 1 + tanh).
        assertEquals("GeluBackward0", JniUtils.getGradientFunctionNames((PtNDArray) y).split(",")[0].trim());
        float[] out = y.toFloatArray();
        c.backward(y.sum());
        float[] grad = x.getGradient().toFloatArray();
        for (int i = 0; i < xs.length; i++) {
          double v = xs[i];
          double t = Math.tanh(C * (v + K * v * v * v));
          assertEquals(0.5 * v * (1 + t), out[i], 1e-6, "gelu_tanh(" + v + ")");
          assertEquals(0.5 * (1 + t) + 0.5 * v * (1 - t * t) * C * (1 + 3 * K * v * v), grad[i], 1e-6,
              "d gelu_tanh / dx at " + v);
        }
      }
    }
  }

  @Test
  void inferenceRecordsNoGraph() {
    Engine.getEngine("PyTorch");
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray y = new TorchGeluTanh()
          .forward(new ParameterStore(m, false), new NDList(m.create(new float[] {1f, -1f})), false)
          .singletonOrThrow();
      assertFalse(JniUtils.requiresGrad((PtNDArray) y));
      assertEquals(0.8411920070648193, y.toFloatArray()[0], 1e-6);
    }
  }
}
