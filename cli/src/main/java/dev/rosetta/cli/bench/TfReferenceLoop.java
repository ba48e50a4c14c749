package dev.rosetta.cli.bench;

import dev.rosetta.backend.Backends;
import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The training step of a dense/ReLU network written by hand against TensorFlow Java (the API
 * inside DJL's tensorflow-api jar), the way a TF Java user writes it: one graph with
 * placeholders for the batch, a variable per weight, {@code MatMul} + {@code BiasAdd} + {@code
 * Relu}, {@code SoftmaxCrossEntropyWithLogits} on one-hot labels, {@code Ops.gradients}, and
 * {@code w -= lr * g} as {@code AssignSub} ops under control dependencies on every gradient (so
 * no update lands before a backward pass has read that weight), run by one session call per
 * step that also fetches the loss. Weights stay {@code [out, in]} and are multiplied transposed,
 * as Rosetta's lowering does, so the two do the same float operations and produce the same
 * bits (a test holds them to that).
 */
public final class TfReferenceLoop implements ReferenceLoop {
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> input;
  private final Placeholder<TFloat32> labels;
  private final Operand<TFloat32> loss;
  private final Op train;
  private final List<ParamSpec> paramSpecs;
  private final List<Variable<TFloat32>> vars = new ArrayList<>();
  private final int inputWidth;
  private final int classes;

  /**
   * Starts from {@code init}, in the canonical layout, with {@code threads} intra-op threads and
   * every op on the calling thread (the session settings Rosetta's TensorFlow backend uses).
   */
  public TfReferenceLoop(CheckedSpec spec, WeightSet init, int threads) {
    ReferenceLoop.requireSupported(spec, "hand-written TensorFlow loop");
    init.requireMatches(spec, "initial weights");
    // The TensorFlow backend loads TF's natives offline; the loop shares them.
    Backends.get("tensorflow").versions();
    this.paramSpecs = spec.params();
    this.inputWidth = spec.input().dims()[0];
    this.classes = spec.outputSize();
    this.graph = new Graph();
    Session opened = null;
    try {
      Ops tf = Ops.create(graph);
      input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, inputWidth)));
      labels = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, classes)));
      Map<String, Variable<TFloat32>> byName = new LinkedHashMap<>();
      List<Op> assigns = new ArrayList<>();
      for (ParamSpec p : paramSpecs) {
        Shape shape = Shape.of(p.shape().dimsLong());
        Variable<TFloat32> v = tf.variable(shape, TFloat32.class);
        assigns.add(tf.assign(v, tf.constant(shape, DataBuffers.of(init.get(p.name()).data(), true, false))));
        byName.put(p.name(), v);
        vars.add(v);
      }
      Operand<TFloat32> h = input;
      for (Layer layer : spec.layers()) {
        h = layer instanceof Layer.Dense d
            ? tf.nn.biasAdd(
                tf.linalg.matMul(h, byName.get(d.name() + ".weight"), MatMul.transposeB(true)),
                byName.get(d.name() + ".bias"))
            : tf.nn.relu(h);
      }
      loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(h, labels).loss(), tf.constant(0));
      List<Operand<?>> grads = new ArrayList<>();
      tf.gradients(loss, vars).forEach(grads::add);
      List<Operation> computed = new ArrayList<>();
      computed.add(loss.op());
      grads.forEach(g -> computed.add(g.op()));
      Ops after = tf.withControlDependencyOps(computed);
      Operand<TFloat32> lr = after.constant((float) spec.optimizer().learningRate());
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < vars.size(); i++) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> g = (Operand<TFloat32>) grads.get(i);
        updates.add(after.assignSub(vars.get(i), after.math.mul(g, lr)));
      }
      train = tf.withControlDependencies(updates).noOp();
      ConfigProto config =
          ConfigProto.newBuilder().setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(-1).build();
      opened = new Session(graph, config);
      session = opened;
      Session.Runner r = session.runner();
      assigns.forEach(r::addTarget);
      r.run().close();
    } catch (RuntimeException | Error e) {
      if (opened != null) {
        opened.close();
      }
      graph.close();
      throw e;
    }
  }

  @Override
  public float trainStep(Batch batch) {
    int n = batch.size();
    float[] oneHot = new float[n * classes];
    for (int i = 0; i < n; i++) {
      oneHot[i * classes + batch.labels()[i]] = 1f;
    }
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, inputWidth), DataBuffers.of(batch.features(), true, false));
        TFloat32 y = TFloat32.tensorOf(Shape.of(n, classes), DataBuffers.of(oneHot, true, false));
        Result res = session.runner().feed(input, x).feed(labels, y).addTarget(train).fetch(loss).run()) {
      return ((TFloat32) res.get(0)).getFloat();
    }
  }

  @Override
  public WeightSet weights() {
    Session.Runner r = session.runner();
    vars.forEach(r::fetch);
    try (Result res = r.run()) {
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (int i = 0; i < paramSpecs.size(); i++) {
        TFloat32 t = (TFloat32) res.get(i);
        float[] values = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(values);
        out.put(paramSpecs.get(i).name(), new Tensor(paramSpecs.get(i).shape(), values));
      }
      return new WeightSet(out);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
