package dev.rosetta.engine.pytorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import java.util.List;

/**
 * Adam's update of every parameter in one call into {@code adam_update.pt} (see {@code
 * src/main/python/adam_update.py} for the ops, which are {@link PytorchOptimizer.Adam#update}'s).
 * The parameters, their gradients and the moment tensors are updated in place and never
 * replaced, so their lists are handed to libtorch once and reused; a step passes only its
 * gradients (when clipping made new ones), sqrt(bc2), and the step sizes and decay factors.
 * Everything made here is owned by the optimizer's state manager and closes with the model.
 */
final class FusedUpdate {
  private static final String RESOURCE = "adam_update.pt";

  private final NDManager owner;
  private final PtSymbolBlock module;
  private final NDArray[] grads;
  private final IValue params;
  private final IValue gradList;
  private final IValue firstMoments;
  private final IValue secondMoments;
  /** b1, 1 - b1, b2, 1 - b2, eps, the L2 weight decay (float32 values), then keras. */
  private final IValue[] constants;

  /**
   * @param grads the parameters' gradient tensors, which libtorch accumulates into in place
   * @param constants b1, 1 - b1, b2, 1 - b2, epsilon and the L2 weight decay, as float32 values
   */
  FusedUpdate(
      NDManager owner, List<NDArray> params, NDArray[] grads, List<NDArray> first, List<NDArray> second,
      float[] constants, boolean keras) {
    this.owner = owner;
    this.module = TorchScriptModules.load(RESOURCE, (PtNDManager) owner);
    this.grads = grads.clone();
    this.params = list(params.toArray(NDArray[]::new));
    this.gradList = list(grads);
    this.firstMoments = list(first.toArray(NDArray[]::new));
    this.secondMoments = list(second.toArray(NDArray[]::new));
    this.constants = new IValue[constants.length + 1];
    for (int i = 0; i < constants.length; i++) {
      // A float32 value widened to double is exact; libtorch narrows it back for float32 tensors.
      this.constants[i] = owned(IValue.from((double) constants[i]));
    }
    this.constants[constants.length] = owned(IValue.from(keras));
  }

  /**
   * One step: the update from the gradients {@code g} (the parameters' own or clipped copies),
   * then the parameters' gradients zeroed.
   *
   * @param steps float32 {@code [P]}: each parameter's step size
   * @param decays float32 {@code [P]} AdamW factors {@code 1 - lr * wd}, or {@code [0]} for none
   */
  void run(NDArray[] g, float sqrtBc2, NDArray steps, NDArray decays) {
    boolean own = sameArrays(g, grads);
    IValue used = own ? gradList : IValue.listFrom(pt(g));
    try (IValue root = IValue.from((double) sqrtBc2);
        IValue stepValues = IValue.from((PtNDArray) steps);
        IValue decayValues = IValue.from((PtNDArray) decays)) {
      IValue[] in = {
        params, used, gradList, firstMoments, secondMoments,
        constants[0], constants[1], constants[2], constants[3], constants[4], constants[5], constants[6],
        root, stepValues, decayValues
      };
      IValueUtils.forward(module, in).close();
    } finally {
      if (!own) {
        used.close();
      }
    }
  }

  private static boolean sameArrays(NDArray[] a, NDArray[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return a.length == b.length;
  }

  private IValue list(NDArray[] arrays) {
    return owned(IValue.listFrom(pt(arrays)));
  }

  private static PtNDArray[] pt(NDArray[] arrays) {
    PtNDArray[] out = new PtNDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      out[i] = (PtNDArray) arrays[i];
    }
    return out;
  }

  /** Closed with the owning manager (the model's), like the tensors the value refers to. */
  private IValue owned(IValue v) {
    owner.attachUncappedInternal(v.getUid(), v);
    return v;
  }
}
