package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ParamSpec;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  private SavedModelExport() {}

  static void export(CheckedSpec spec, WeightSet weights, Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new IOException("SavedModel directory " + dir + " is not empty");
        }
      }
    }
    Files.createDirectories(dir);
    List<ParamSpec> params = spec.params();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Map<String, Variable<TFloat32>> vars = TensorflowLowering.variables(tf, spec);
      Placeholder<?> x = TensorflowLowering.input(tf.withName(INPUT), spec);
      Operand<TFloat32> y =
          tf.withName(OUTPUT).identity(TensorflowLowering.forward(tf, spec, x, vars, null));
      List<Placeholder<TFloat32>> values = new ArrayList<>();
      List<Operand<TFloat32>> assigns = new ArrayList<>();
      for (ParamSpec p : params) {
        Variable<TFloat32> v = vars.get(p.name());
        Placeholder<TFloat32> value =
            tf.withSubScope(p.name()).withName("value").placeholder(TFloat32.class, Placeholder.shape(v.shape()));
        values.add(value);
        assigns.add(tf.assign(v, value));
      }
      try (Session s = new Session(g, TfTensors.sessionConfig())) {
        List<TFloat32> fed = new ArrayList<>();
        try {
          Session.Runner r = s.runner();
          for (int i = 0; i < params.size(); i++) {
            TFloat32 t =
                TfTensors.tensor(weights.get(params.get(i).name()).data(), vars.get(params.get(i).name()).shape());
            fed.add(t);
            r.feed(values.get(i), t).addTarget(assigns.get(i));
          }
          if (!params.isEmpty()) {
            r.run().close();
          }
        } finally {
          fed.forEach(TFloat32::close);
        }
        SavedModelBundle.exporter(dir.toString())
            .withSession(s)
            .withSignature(Signature.builder().key(Signature.DEFAULT_KEY).input(INPUT, x).output(OUTPUT, y).build())
            .export();
      }
    }
  }
}
