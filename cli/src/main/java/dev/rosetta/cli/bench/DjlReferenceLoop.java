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
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training step of a dense/ReLU network written by hand against DJL's PyTorch engine, the
 * way a DJL user would write it without Rosetta: a weight and a bias array per dense layer,
 * libtorch's linear and relu, log-softmax cross-entropy and {@code w -= lr * g}. {@code rosetta
 * bench --reference} times it on the same batches as Rosetta's PyTorch model, so the gap it
 * reports is Rosetta's own overhead on that machine. It performs the same float operations as
 * Rosetta's lowering, so the two produce bit-identical weights (a test holds them to that).
 *
 * <p>It covers what such a loop covers: a stack of dense and relu layers on a vector input,
 * cross-entropy, SGD without momentum or weight decay. {@link #unsupported} says what else a spec
 * asks for.
 */
public final class DjlReferenceLoop implements AutoCloseable {
  private final Engine engine;
  private final NDManager manager;
  private final List<Layer> layers;
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  private final List<ParamSpec> paramSpecs;
  private final float learningRate;
  private final int inputWidth;

  /** Why this loop cannot train {@code spec}: empty when it can. */
  public static List<String> unsupported(CheckedSpec spec) {
    List<String> why = new ArrayList<>();
    if (spec.input().rank() != 1) {
      why.add("input shape " + spec.input() + " is not a vector");
    }
    if (spec.spec().isGraph()) {
      why.add("layers name their inputs (a graph, not a stack)");
    }
    for (Layer l : spec.layers()) {
      if (!(l instanceof Layer.Dense) && !(l instanceof Layer.Relu)) {
        why.add("layer '" + l.name() + "' is " + l.type() + " (the loop has dense and relu)");
      }
    }
    if (!(spec.loss() instanceof Loss.CrossEntropy)) {
      why.add("loss is " + spec.loss().type() + " (the loop has cross_entropy)");
    }
    if (!(spec.optimizer() instanceof Optimizer.Sgd s) || s.momentum() != 0 || s.weightDecay() != 0) {
      why.add("optimizer is not plain sgd (the loop has no momentum, weight decay or adam)");
    }
    return why;
  }

  /** Starts from {@code init}, in the canonical layout ({@code <layer>.weight} is [out, in]). */
  public DjlReferenceLoop(CheckedSpec spec, WeightSet init) {
    List<String> why = unsupported(spec);
    if (!why.isEmpty()) {
      throw new IllegalArgumentException("the hand-written DJL loop cannot train '" + spec.name() + "': " + String.join("; ", why));
    }
    init.requireMatches(spec, "initial weights");
    // The PyTorch backend sets the engine up (offline, thread counts); the loop shares it.
    Backends.get("pytorch").versions();
    this.engine = Engine.getEngine("PyTorch");
    this.manager = engine.newBaseManager();
    this.layers = spec.layers();
    this.learningRate = (float) spec.optimizer().learningRate();
    this.inputWidth = spec.input().dims()[0];
    this.paramSpecs = spec.params();
    for (ParamSpec p : paramSpecs) {
      NDArray a = manager.create(init.get(p.name()).data(), new Shape(p.shape().dimsLong()));
      a.setRequiresGradient(true);
      params.put(p.name(), a);
    }
  }

  /** One forward, backward and SGD update; returns the batch's mean loss. */
  public float trainStep(Batch batch) {
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

  /** The current weights, in the canonical layout. */
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
