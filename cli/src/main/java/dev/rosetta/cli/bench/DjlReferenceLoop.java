package dev.rosetta.cli.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.rosetta.backend.Backends;
import dev.rosetta.data.Batch;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training step of a dense/ReLU network written by hand against DJL's PyTorch engine, the
 * way a DJL user would write it without Rosetta: a weight and a bias array per dense layer,
 * libtorch's linear and relu, log-softmax cross-entropy and {@code w -= lr * g}. It performs the
 * same float operations as Rosetta's lowering, so the two produce bit-identical weights (a test
 * holds them to that). {@link ReferenceLoop#unsupported} says what a spec may ask for.
 */
public final class DjlReferenceLoop implements ReferenceLoop {
  private final Engine engine;
  private final NDManager manager;
  private final List<Layer> layers;
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  private final List<ParamSpec> paramSpecs;
  private final float learningRate;
  private final int inputWidth;
  private final int threads;

  /** Why this loop cannot train {@code spec}: empty when it can. */
  public static List<String> unsupported(CheckedSpec spec) {
    return ReferenceLoop.unsupported(spec);
  }

  /** {@link #DjlReferenceLoop(CheckedSpec, WeightSet, int)} on one intra-op thread. */
  public DjlReferenceLoop(CheckedSpec spec, WeightSet init) {
    this(spec, init, 1);
  }

  /**
   * Starts from {@code init}, in the canonical layout ({@code <layer>.weight} is [out, in]).
   *
   * @param threads libtorch's intra-op threads while this loop steps (one setting per process,
   *     so the loop sets it before each step, as Rosetta's model does)
   */
  public DjlReferenceLoop(CheckedSpec spec, WeightSet init, int threads) {
    ReferenceLoop.requireSupported(spec, "hand-written DJL loop");
    init.requireMatches(spec, "initial weights");
    // The PyTorch backend sets the engine up (offline, thread counts); the loop shares it.
    Backends.get("pytorch").versions();
    this.engine = Engine.getEngine("PyTorch");
    this.manager = engine.newBaseManager();
    this.layers = spec.layers();
    this.learningRate = (float) spec.optimizer().learningRate();
    this.inputWidth = spec.input().dims()[0];
    this.threads = threads;
    this.paramSpecs = spec.params();
    for (ParamSpec p : paramSpecs) {
      NDArray a = manager.create(init.get(p.name()).data(), new Shape(p.shape().dimsLong()));
      a.setRequiresGradient(true);
      params.put(p.name(), a);
    }
  }

  @Override
  public float trainStep(Batch batch) {
    if (JniUtils.getNumThreads() != threads) {
      JniUtils.setNumThreads(threads);
    }
    int n = batch.size();
    try (NDManager step = manager.newSubManager()) {
      NDArray x = step.create(batch.features(), new Shape(n, inputWidth));
      long[] labels = new long[n];
      for (int i = 0; i < n; i++) {
        labels[i] = batch.labels()[i];
      }
      NDArray y = step.create(labels, new Shape(n, 1));
      float loss;
      try (GradientCollector collector = engine.newGradientCollector()) {
        NDArray h = x;
        for (Layer layer : layers) {
          h = layer instanceof Layer.Dense d
              ? JniUtils.linear((PtNDArray) h, (PtNDArray) params.get(d.name() + ".weight"), (PtNDArray) params.get(d.name() + ".bias"))
              : h.getNDArrayInternal().relu();
        }
        NDArray l = h.logSoftmax(-1).gather(y, 1).mean().neg();
        collector.backward(l);
        loss = l.getFloat();
      }
      for (NDArray p : params.values()) {
        NDArray g = p.getGradient();
        g.attach(step);
        p.subi(g.muli(learningRate));
        g.subi(g);
      }
      return loss;
    }
  }

  @Override
  public WeightSet weights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (ParamSpec p : paramSpecs) {
      out.put(p.name(), new Tensor(p.shape(), params.get(p.name()).toFloatArray()));
    }
    return new WeightSet(out);
  }

  @Override
  public void close() {
    manager.close();
  }
}
