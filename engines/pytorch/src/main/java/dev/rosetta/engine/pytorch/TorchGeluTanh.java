package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * GELU's tanh form, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, as libtorch's own
 * kernel: one call into {@code gelu_tanh.pt} ({@code src/main/python/gelu_tanh.py}), which runs
 * {@code gelu(x, approximate="tanh")}; autograd records libtorch's {@code gelu_backward} for it.
 * DJL binds GELU with its default options only (the erf form). Written out instead, the formula
 * is nine element-wise ops and autograd's backward another dozen, about six times the time on
 * char-GPT's activations.
 *
 * <p>The module holds no parameters and no state; one copy serves every model in the process and
 * lives as long as it (a few kilobytes of libtorch code, owned by a manager of its own). Its
 * outputs belong to the input's manager, like any op's.
 */
final class TorchGeluTanh extends AbstractBlock {
  private static final String RESOURCE = "gelu_tanh.pt";

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    // The result is attached to the first input's manager: the step's scope in training.
    return IValueUtils.forward(Module.GELU_TANH, inputs, training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }

  /** Loaded on first use, with the PyTorch engine already started by the model that asks. */
  private static final class Module {
    static final PtSymbolBlock GELU_TANH =
        TorchScriptModules.load(RESOURCE, (PtNDManager) NDManager.newBaseManager("PyTorch"));
  }
}
