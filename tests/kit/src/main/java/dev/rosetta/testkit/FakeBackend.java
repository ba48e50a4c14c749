package dev.rosetta.testkit;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Execution;
import dev.rosetta.backend.OptimizerState;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one test double of a backend, in plain Java. It predicts with the {@link
 * JavaReferenceModel} (every layer kind), and trains a stack of one dense layer with MSE or
 * cross-entropy and plain SGD, gradients written out by hand. Knobs make it the backend a test
 * needs: a name, an offset added to every output (two instances then disagree by a known
 * amount), a step from which the loss is NaN, layer kinds it refuses at validation. It records
 * every batch and step it trains on.
 *
 * <p>Registered through ServiceLoader in the cross-module tests under the name {@code fake},
 * refusing {@code dropout}: the proof that what a backend lacks is rejected at validation.
 * Suites that train on every real backend leave it out ({@link #isTestDouble}).
 */
public final class FakeBackend implements Backend {
  private final String name;
  private final float skew;
  private final long nanFrom;
  private final Set<Class<? extends Layer>> refused;
  private final List<Batch> batches = new ArrayList<>();
  private final List<Long> steps = new ArrayList<>();
  private final List<Float> losses = new ArrayList<>();

  /** The ServiceLoader instance: {@code fake}, refusing dropout. */
  public FakeBackend() {
    this("fake", 0, Long.MAX_VALUE, Set.of(Layer.Dropout.class));
  }

  private FakeBackend(String name, float skew, long nanFrom, Set<Class<? extends Layer>> refused) {
    this.name = name;
    this.skew = skew;
    this.nanFrom = nanFrom;
    this.refused = refused;
  }

  /** Whether {@code b} is this test double rather than a framework. */
  public static boolean isTestDouble(Backend b) {
    return b instanceof FakeBackend;
  }

  /** A fake that supports everything, under {@code name}. */
  public static FakeBackend named(String name) {
    return new FakeBackend(name, 0, Long.MAX_VALUE, Set.of());
  }

  /** This fake with {@code skew} added to every output it computes. */
  public FakeBackend withSkew(float skew) {
    return new FakeBackend(name, skew, nanFrom, refused);
  }

  /** This fake, returning a NaN loss from global step {@code step} on. */
  public FakeBackend divergingFrom(long step) {
    return new FakeBackend(name, skew, step, refused);
  }

  /** The batches, steps and losses every model of this fake trained on, in order. */
  public List<Batch> batches() {
    return batches;
  }

  public List<Long> steps() {
    return steps;
  }

  public List<Float> losses() {
    return losses;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, String> versions() {
    return Map.of("fake", "1");
  }

  /** The refused kinds. What it cannot train, it says when asked to train it. */
  @Override
  public List<SpecIssue> unsupported(CheckedSpec spec) {
    List<SpecIssue> issues = new ArrayList<>();
    for (LayerShape s : spec.shapes()) {
      Layer l = s.layer();
      if (refused.contains(l.getClass())) {
        issues.add(SpecIssue.error("$.layers[" + s.index() + "]", l.name(),
            "layer '" + l.name() + "' (" + l.type() + ") is not supported by the " + name + " backend"));
      }
    }
    return issues;
  }

  @Override
  public InferenceModel inference(CheckedSpec spec, WeightSet weights) {
    requireSupported(spec);
    weights.requireMatches(spec, "weights");
    return new Model(spec, weights);
  }

  @Override
  public TrainableModel create(CheckedSpec spec, WeightSet weights, Execution execution) {
    requireSupported(spec);
    weights.requireMatches(spec, "initial weights");
    return new Model(spec, weights);
  }

  /** Trains only a single dense layer with plain SGD; predicts anything. */
  private final class Model implements TrainableModel {
    private final CheckedSpec spec;
    private final Map<String, Tensor> weights;
    private double learningRate;
    private long taken;

    Model(CheckedSpec spec, WeightSet init) {
      this.spec = spec;
      this.weights = new LinkedHashMap<>(init.tensors());
      this.learningRate = spec.optimizer().learningRate();
    }

    @Override
    public float[] predict(float[] inputs, int n) {
      float[] y = new JavaReferenceModel(spec, weights()).predict(inputs, n);
      for (int i = 0; i < y.length; i++) {
        y[i] += skew;
      }
      return y;
    }

    @Override
    public float[] predictTokens(int[] tokens, int n, int length) {
      float[] y = new JavaReferenceModel(spec, weights()).predictTokens(tokens, n, length);
      for (int i = 0; i < y.length; i++) {
        y[i] += skew;
      }
      return y;
    }

    @Override
    public float trainStep(Batch batch, long step) {
      requireSgd();
      float lr = (float) learningRate;
      taken++;
      float[] loss = new float[1];
      WeightSet g = gradients(batch, loss);
      for (Map.Entry<String, Tensor> e : g.tensors().entrySet()) {
        float[] w = weights.get(e.getKey()).data().clone();
        float[] d = e.getValue().data();
        for (int i = 0; i < w.length; i++) {
          w[i] -= lr * d[i];
        }
        weights.put(e.getKey(), new Tensor(e.getValue().shape(), w));
      }
      float reported = step >= nanFrom ? Float.NaN : loss[0];
      batches.add(batch);
      steps.add(step);
      losses.add(reported);
      return reported;
    }

    @Override
    public WeightSet gradients(Batch batch, long step) {
      return gradients(batch, new float[1]);
    }

    /** No dropout or batch statistics in what it trains: the training forward is predict. */
    @Override
    public float[] trainingOutput(Batch batch, long step) {
      return predict(batch.features(), batch.size());
    }

    /** The mean loss's gradients for one dense layer {@code y = W x + b + skew}. */
    private WeightSet gradients(Batch batch, float[] lossOut) {
      Layer.Dense d = requireOneDense();
      int in = spec.input().dim(0);
      int out = d.units();
      int n = batch.size();
      float[] y = predict(batch.features(), n);
      float[] dy = new float[n * out];
      double loss = spec.loss().accept(new Loss.Visitor<Double>() {
        @Override
        public Double crossEntropy(Loss.CrossEntropy l) {
          double sum = 0;
          for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < out; k++) {
              max = Math.max(max, y[i * out + k]);
            }
            double z = 0;
            for (int k = 0; k < out; k++) {
              z += Math.exp(y[i * out + k] - max);
            }
            for (int k = 0; k < out; k++) {
              double p = Math.exp(y[i * out + k] - max) / z;
              dy[i * out + k] = (float) ((p - (k == batch.labels()[i] ? 1 : 0)) / n);
            }
            sum += max + Math.log(z) - y[i * out + batch.labels()[i]];
          }
          return sum / n;
        }

        @Override
        public Double mse(Loss.Mse l) {
          float[] t = batch.targets(out);
          double sum = 0;
          for (int k = 0; k < n * out; k++) {
            double e = y[k] - t[k];
            sum += e * e;
            dy[k] = (float) (2 * e / (n * out));
          }
          return sum / (n * out);
        }
      });
      lossOut[0] = (float) loss;
      float[] gw = new float[out * in];
      float[] gb = new float[out];
      float[] x = batch.features();
      for (int i = 0; i < n; i++) {
        for (int o = 0; o < out; o++) {
          gb[o] += dy[i * out + o];
          for (int k = 0; k < in; k++) {
            gw[o * in + k] += dy[i * out + o] * x[i * in + k];
          }
        }
      }
      Map<String, Tensor> g = new LinkedHashMap<>();
      g.put(d.name() + ".weight", new Tensor(weights.get(d.name() + ".weight").shape(), gw));
      if (d.bias()) {
        g.put(d.name() + ".bias", new Tensor(weights.get(d.name() + ".bias").shape(), gb));
      }
      return new WeightSet(g);
    }

    private Layer.Dense requireOneDense() {
      if (spec.layers().size() != 1 || !(spec.layers().get(0) instanceof Layer.Dense d) || spec.input().rank() != 1) {
        throw new UnsupportedOperationException("the " + name + " backend trains one dense layer on a vector input only");
      }
      return d;
    }

    private Optimizer.Sgd requireSgd() {
      if (!(spec.optimizer() instanceof Optimizer.Sgd s) || s.momentum() != 0 || s.weightDecay() != 0) {
        throw new UnsupportedOperationException("the " + name + " backend trains with plain sgd only");
      }
      return s;
    }

    @Override
    public WeightSet weights() {
      return new WeightSet(weights);
    }

    @Override
    public void setWeights(WeightSet w) {
      w.requireMatches(spec, "weights");
      weights.putAll(w.tensors());
    }

    @Override
    public int intraOpThreads() {
      return 1;
    }

    @Override
    public void setLearningRate(double lr) {
      learningRate = lr;
    }

    /** Plain SGD keeps no state but the steps taken. */
    @Override
    public OptimizerState optimizerState() {
      return new OptimizerState(taken, java.util.Map.of());
    }

    @Override
    public void loadOptimizerState(OptimizerState state) {
      OptimizerState.requireFits(state, optimizerState());
      taken = state.step();
    }

    @Override
    public CheckedSpec spec() {
      return spec;
    }

    @Override
    public String backend() {
      return name;
    }

    @Override
    public void close() {}
  }
}
