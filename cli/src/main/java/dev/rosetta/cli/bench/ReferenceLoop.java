package dev.rosetta.cli.bench;

import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A training loop written by hand against one framework, the way its user would write it
 * without Rosetta, doing exactly Rosetta's float operations: {@code rosetta bench --reference}
 * and {@code --compare} time it on the same batches as Rosetta's model, so the gap is Rosetta's
 * own overhead on that framework. Each loop is held by a test to Rosetta's bits, step for step.
 *
 * <p>Both loops cover what such a loop covers: a stack of dense and relu layers on a vector
 * input, cross-entropy from logits, SGD without momentum or weight decay.
 */
public interface ReferenceLoop extends AutoCloseable {

  /** One forward, backward and SGD update; returns the batch's mean loss. */
  float trainStep(Batch batch);

  /** The current weights, in the canonical layout. */
  WeightSet weights();

  @Override
  void close();

  /** Why a hand-written loop cannot train {@code spec}: empty when it can. */
  static List<String> unsupported(CheckedSpec spec) {
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
    if (!(spec.loss() instanceof Loss.CrossEntropy ce) || ce.labelSmoothing() != 0) {
      why.add("loss is " + spec.loss().type() + " (the loop has cross_entropy without label smoothing)");
    }
    if (!(spec.optimizer() instanceof Optimizer.Sgd s) || s.momentum() != 0 || s.weightDecay() != 0) {
      why.add("optimizer is not plain sgd (the loop has no momentum, weight decay or adam)");
    }
    if (!spec.penalties().isEmpty() || spec.trainedParams().size() != spec.params().size()) {
      why.add("layers have penalties or frozen parameters (the loop trains every parameter, plain loss)");
    }
    if (spec.training().clipGradValue() != 0 || spec.training().clipGradNorm() != 0) {
      why.add("training clips gradients (the loop has no clipping)");
    }
    for (double m : spec.lrMultipliers()) {
      if (m != 1) {
        why.add("a layer has a learning-rate multiplier (the loop has one rate)");
        break;
      }
    }
    return why;
  }

  /** How to make a backend's hand-written loop, and what to call it in a report. */
  record Maker(String label, Factory factory) {
    public ReferenceLoop create(CheckedSpec spec, WeightSet init, int threads) {
      return factory.create(spec, init, threads);
    }
  }

  /** A loop's constructor: initial weights in the canonical layout, intra-op threads. */
  @FunctionalInterface
  interface Factory {
    ReferenceLoop create(CheckedSpec spec, WeightSet init, int threads);
  }

  /** The hand-written loop of each backend's framework, by backend name. */
  Map<String, Maker> BY_BACKEND = Map.of(
      "pytorch", new Maker("hand-written DJL loop", DjlReferenceLoop::new),
      "tensorflow", new Maker("hand-written TensorFlow Java loop", TfReferenceLoop::new));

  /** Throws when {@link #unsupported} finds something. */
  static void requireSupported(CheckedSpec spec, String loop) {
    List<String> why = unsupported(spec);
    if (!why.isEmpty()) {
      throw new IllegalArgumentException("the " + loop + " cannot train '" + spec.name() + "': " + String.join("; ", why));
    }
  }
}
