package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Exports the evaluation graph of a spec as a SavedModel: tag {@code serve}, signature {@code
 * serving_default} mapping {@code input} to {@code output}. Only the inference graph is
 * written (no optimizer state, no dropout), from canonical weights, so a SavedModel is a pure
 * function of (spec, weights).
 */
final class SavedModelExport {
  static final String INPUT = "input";
  static final String OUTPUT = "output";

  /**
   * Weights held as graph constants up to this many bytes; above it as variables. A SavedModel's
   * graph is one protocol buffer, which cannot exceed 2 GiB.
   */
  static final long MAX_CONSTANT_BYTES = 1L << 30;

  /** How the weights are held in the exported graph. */
  enum Weights {
    /** Variables restored from the SavedModel's checkpoint, as TensorFlow's own exports do. */
    VARIABLES,
    /**
     * Constants in the graph. TensorFlow's graph optimizer then computes everything that
     * depends on the weights alone (the kernels' HWIO views, batch norm's scale and shift) once,
     * when the session loads, instead of at every call.
     */
    CONSTANTS
  }

  private SavedModelExport() {}

  /** Constants when the weights fit in {@link #MAX_CONSTANT_BYTES}, else variables. */
  static Weights fastestFor(CheckedSpec spec) {
    long bytes = 0;
    for (ParamSpec p : spec.params()) {
      bytes += 4L * p.shape().size();
    }
    return bytes <= MAX_CONSTANT_BYTES ? Weights.CONSTANTS : Weights.VARIABLES;
  }

  static void export(CheckedSpec spec, WeightSet weights, Path dir) throws IOException {
    export(spec, weights, dir, Weights.VARIABLES);
  }

  static void export(CheckedSpec spec, WeightSet weights, Path dir, Weights held) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IOException("SavedModel directory " + dir + " is not empty");
        }
      }
    }
    Files.createDirectories(dir);
    List<ParamSpec> params = spec.params();
    List<TFloat32> tensors = new ArrayList<>();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      for (ParamSpec p : params) {
        tensors.add(TfTensors.tensor(weights.get(p.name()).data(), org.tensorflow.ndarray.Shape.of(p.shape().dimsLong())));
      }
      Map<String, Variable<TFloat32>> vars = held == Weights.VARIABLES ? TensorflowLowering.variables(tf, spec) : Map.of();
      Map<String, Operand<TFloat32>> values = new LinkedHashMap<>();
      for (int i = 0; i < params.size(); i++) {
        String name = params.get(i).name();
        values.put(name, held == Weights.VARIABLES ? vars.get(name) : tf.withName(name).constantOf(tensors.get(i)));
      }
      Placeholder<?> x = TensorflowLowering.input(tf.withName(INPUT), spec);
      Operand<TFloat32> y =
          tf.withName(OUTPUT).identity(TensorflowLowering.forward(tf, spec, x, values, null));
      List<Placeholder<TFloat32>> fed = new ArrayList<>();
      List<Operand<TFloat32>> assigns = new ArrayList<>();
      for (Map.Entry<String, Variable<TFloat32>> e : vars.entrySet()) {
        Placeholder<TFloat32> value = tf.withSubScope(e.getKey()).withName("value")
            .placeholder(TFloat32.class, Placeholder.shape(e.getValue().shape()));
        fed.add(value);
        assigns.add(tf.assign(e.getValue(), value));
      }
      try (Session s = new Session(g, TfTensors.sessionConfig())) {
        if (!assigns.isEmpty()) {
          Session.Runner r = s.runner();
          for (int i = 0; i < params.size(); i++) {
            r.feed(fed.get(i), tensors.get(i)).addTarget(assigns.get(i));
          }
          r.run().close();
        }
        SavedModelBundle.exporter(dir.toString())
            .withSession(s)
            .withSignature(Signature.builder().key(Signature.DEFAULT_KEY).input(INPUT, x).output(OUTPUT, y).build())
            .export();
      }
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }
}
