package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Semantic checks on the IR, shared by JSON specs and the Java builder: every error with its JSON
 * path and layer name, plus lint warnings for specs that are legal but almost surely wrong.
 */
public final class SpecValidator {
  /** Layer type names, as written in JSON. */
  public static final List<String> LAYER_TYPES =
      List.of(
          "dense", "relu", "sigmoid", "tanh", "softmax", "flatten", "dropout", "leaky_relu", "elu",
          "gelu", "reshape", "conv2d", "max_pool2d", "avg_pool2d", "global_avg_pool2d",
          "batch_norm", "layer_norm", "add", "concat");

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private SpecValidator() {}

  public static ValidationReport validate(ModelSpec spec) {
    List<SpecIssue> issues = new ArrayList<>();
    Shape in = spec.input();
    boolean inputOk = true;
    for (int i = 0; i < in.rank(); i++) {
      if (in.dim(i) <= 0) {
        issues.add(
            SpecIssue.error(
                "$.input.shape[" + i + "]", null,
                "input dimension must be > 0 (got " + in.dim(i) + ")"));
        inputOk = false;
      }
    }
    if (in.rank() == 0) {
      issues.add(SpecIssue.error("$.input.shape", null, "input shape must have at least one axis"));
      inputOk = false;
    }
    if (spec.layers().isEmpty()) {
      issues.add(SpecIssue.error("$.layers", null, "a model needs at least one layer"));
    }

    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < spec.layers().size(); i++) {
      index.putIfAbsent(spec.layers().get(i).name(), i);
    }
    Map<String, Integer> seen = new HashMap<>();
    // Output shape of each layer read so far; absent when unknown because of an earlier error.
    Map<String, Shape> shapes = new HashMap<>();
    if (inputOk) {
      shapes.put(ModelSpec.INPUT, in);
    }
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      String path = "$.layers[" + i + "]";
      String name = layer.name();
      if (name == null || !NAME.matcher(name).matches()) {
        issues.add(
            SpecIssue.error(
                path + ".name", name,
                "layer name \"" + name + "\" must match [A-Za-z_][A-Za-z0-9_]* (it names parameters and graph nodes)"));
      } else if (name.equals(ModelSpec.INPUT)) {
        issues.add(
            SpecIssue.error(
                path + ".name", name,
                "layer name '" + ModelSpec.INPUT + "' is reserved: layers read the model input by that name"));
      } else if (seen.containsKey(name)) {
        issues.add(
            SpecIssue.error(
                path + ".name", name,
                "duplicate layer name '" + name + "' (first used at $.layers[" + seen.get(name) + "])"));
      }
      List<String> ins = spec.inputsOf(i);
      boolean wired = checkInputs(spec, i, ins, seen, index, issues);
      if (name != null && !seen.containsKey(name)) {
        seen.put(name, i);
      }
      List<Shape> inShapes = null;
      if (wired && ins.stream().allMatch(shapes::containsKey)) {
        inShapes = ins.stream().map(shapes::get).toList();
      }
      List<SpecIssue> own = checkLayer(layer, path, ins, inShapes);
      issues.addAll(own);
      boolean ok = own.stream().noneMatch(x -> x.severity() == SpecIssue.Severity.ERROR);
      if (inShapes != null && ok && name != null) {
        shapes.put(name, ShapeInference.inferLayer(layer, inShapes).output());
      }
    }

    String last = lastName(spec);
    if (last != null && shapes.containsKey(last)) {
      checkLoss(spec, shapes.get(last), issues);
    }
    checkOptimizer(spec.optimizer(), issues);
    checkTraining(spec.training(), issues);
    lint(spec, issues);
    return new ValidationReport(issues);
  }

  /**
   * The wiring of layer {@code i}: how many inputs its kind takes, and that each names the
   * model input or a layer listed before it. A name listed later is either a cycle (reported
   * as one, with its path) or an ordering mistake.
   */
  private static boolean checkInputs(
      ModelSpec spec, int i, List<String> ins, Map<String, Integer> seen, Map<String, Integer> index,
      List<SpecIssue> issues) {
    Layer layer = spec.layers().get(i);
    String n = layer.name();
    String path = "$.layers[" + i + "].inputs";
    boolean ok = true;
    if (Layer.joins(layer) && ins.size() < 2) {
      issues.add(SpecIssue.error(path, n, "layer '" + n + "' (" + layer.type() + ") joins two or more inputs, got " + ins.size() + " " + quoted(ins) + "; list them in \"inputs\""));
      ok = false;
    } else if (!Layer.joins(layer) && ins.size() != 1) {
      issues.add(SpecIssue.error(path, n, "layer '" + n + "' (" + layer.type() + ") reads one input, got " + ins.size() + " " + quoted(ins) + "; join several with an add or concat layer first"));
      ok = false;
    }
    for (int k = 0; k < ins.size(); k++) {
      String in = ins.get(k);
      String p = path + "[" + k + "]";
      if (in.equals(ModelSpec.INPUT) || seen.containsKey(in)) {
        continue;
      }
      ok = false;
      Integer later = index.get(in);
      if (in.equals(n)) {
        issues.add(SpecIssue.error(p, n, "layer '" + n + "' reads itself: inputs must not form a cycle"));
      } else if (later != null) {
        List<String> cycle = pathTo(spec, in, n, index, new java.util.HashSet<>());
        if (cycle != null) {
          StringBuilder sb = new StringBuilder("inputs form a cycle: '" + n + "'");
          for (String c : cycle) {
            sb.append(" reads '").append(c).append("'");
          }
          issues.add(SpecIssue.error(p, n, sb + " (each layer must only read layers before it)"));
        } else {
          issues.add(SpecIssue.error(p, n, "layer '" + n + "' reads '" + in + "', which is defined after it (at $.layers[" + later + "]); list every layer after the layers it reads"));
        }
      } else {
        List<String> known = new ArrayList<>();
        known.add(ModelSpec.INPUT);
        for (int j = 0; j < i; j++) {
          known.add(spec.layers().get(j).name());
        }
        issues.add(SpecIssue.error(p, n, "layer '" + n + "': unknown input '" + in + "' (it can read: " + String.join(", ", known) + ")"));
      }
    }
    return ok;
  }

  /** The chain of reads from {@code from} that ends at {@code target}, or null if none does. */
  private static List<String> pathTo(
      ModelSpec spec, String from, String target, Map<String, Integer> index, java.util.Set<String> visited) {
    if (!visited.add(from)) {
      return null;
    }
    Integer i = index.get(from);
    if (i == null) {
      return null;
    }
    for (String next : spec.inputsOf(i)) {
      if (next.equals(target)) {
        List<String> out = new ArrayList<>();
        out.add(from);
        out.add(target);
        return out;
      }
      List<String> rest = pathTo(spec, next, target, index, visited);
      if (rest != null) {
        rest.add(0, from);
        return rest;
      }
    }
    return null;
  }

  private static String quoted(List<String> names) {
    return names.stream().map(x -> "'" + x + "'").toList().toString();
  }

  private static List<SpecIssue> checkLayer(Layer layer, String path, List<String> names, List<Shape> ins) {
    List<SpecIssue> out = new ArrayList<>();
    String n = layer.name();
    Shape in = ins == null ? null : ins.get(0);
    layer.accept(
        new Layer.Visitor<Void>() {
          @Override
          public Void dense(Layer.Dense d) {
            if (d.units() <= 0) {
              out.add(SpecIssue.error(path + ".units", n, n + ".units must be > 0 (got " + d.units() + ")"));
            }
            return null;
          }

          @Override
          public Void relu(Layer.Relu l) {
            return null;
          }

          @Override
          public Void sigmoid(Layer.Sigmoid l) {
            return null;
          }

          @Override
          public Void tanh(Layer.Tanh l) {
            return null;
          }

          @Override
          public Void softmax(Layer.Softmax l) {
            return null;
          }

          @Override
          public Void flatten(Layer.Flatten l) {
            if (in != null && in.size() > Integer.MAX_VALUE) {
              out.add(SpecIssue.error(path, n, n + ": flattened size " + in.size() + " is too large"));
            }
            return null;
          }

          @Override
          public Void dropout(Layer.Dropout d) {
            if (!(d.rate() >= 0 && d.rate() < 1)) {
              out.add(SpecIssue.error(path + ".rate", n, n + ".rate must be in [0, 1) (got " + d.rate() + ")"));
            }
            return null;
          }

          @Override
          public Void leakyRelu(Layer.LeakyRelu l) {
            // A negative slope would make the activation non-monotonic; PyTorch allows it, the
            // IR does not, so the spec cannot ask for something no one meant.
            if (!(l.negativeSlope() >= 0) || Double.isInfinite(l.negativeSlope())) {
              out.add(SpecIssue.error(path + ".negative_slope", n, n + ".negative_slope must be >= 0 and finite (got " + l.negativeSlope() + ")"));
            }
            return null;
          }

          @Override
          public Void elu(Layer.Elu l) {
            if (!(l.alpha() > 0) || Double.isInfinite(l.alpha())) {
              out.add(SpecIssue.error(path + ".alpha", n, n + ".alpha must be > 0 and finite (got " + l.alpha() + ")"));
            }
            return null;
          }

          @Override
          public Void gelu(Layer.Gelu l) {
            return null;
          }

          @Override
          public Void reshape(Layer.Reshape r) {
            String p = path + ".shape";
            List<Integer> dims = r.shape();
            if (dims.isEmpty()) {
              out.add(SpecIssue.error(p, n, n + ".shape must have at least one dimension"));
              return null;
            }
            int inferred = 0;
            long known = 1;
            boolean dimsOk = true;
            boolean overflow = false;
            for (int d : dims) {
              if (d == -1) {
                inferred++;
              } else if (d <= 0) {
                out.add(SpecIssue.error(p, n, n + ".shape: dimension " + d + " is not allowed (each must be > 0, or -1 once to infer it), in " + dims));
                dimsOk = false;
              } else if (!overflow) {
                try {
                  known = Math.multiplyExact(known, d);
                } catch (ArithmeticException e) {
                  overflow = true;
                }
              }
            }
            if (dimsOk && overflow) {
              // A product past 2^63 cannot equal any input's element count; say so plainly
              // rather than report a wrapped-around count.
              out.add(SpecIssue.error(p, n, n + ": cannot reshape to " + dims + ": more values than any tensor can hold"));
              return null;
            }
            if (inferred > 1) {
              out.add(SpecIssue.error(p, n, n + ".shape: only one dimension may be -1, got " + inferred + " in " + dims));
              dimsOk = false;
            }
            if (!dimsOk || in == null) {
              return null;
            }
            long have = in.size();
            if (inferred == 0 && known != have) {
              out.add(SpecIssue.error(p, n, n + ": cannot reshape " + in + " (" + have + " values) to " + dims + " (" + known + " values)"));
            } else if (inferred == 1 && (known > have || have % known != 0)) {
              out.add(SpecIssue.error(p, n, n + ": cannot reshape " + in + " (" + have + " values) to " + dims + ": " + have + " is not a multiple of " + known));
            } else if (inferred == 1 && have / known > Integer.MAX_VALUE) {
              out.add(SpecIssue.error(p, n, n + ": the -1 in " + dims + " would be " + (have / known) + ", too large for one axis"));
            }
            return null;
          }

          @Override
          public Void conv2d(Layer.Conv2d c) {
            if (c.filters() <= 0) {
              out.add(SpecIssue.error(path + ".filters", n, n + ".filters must be > 0 (got " + c.filters() + ")"));
            }
            boolean ok = c.filters() > 0;
            ok &= positive(c.kernel(), "kernel");
            ok &= positive(c.stride(), "stride");
            ok &= positive(c.dilation(), "dilation");
            Layer.Padding p = c.padding();
            if (!p.same() && (p.h() < 0 || p.w() < 0)) {
              out.add(SpecIssue.error(path + ".padding", n, n + ".padding must be >= 0 (got " + p + ")"));
              ok = false;
            }
            if (p.same() && (c.stride().h() != 1 || c.stride().w() != 1)) {
              // PyTorch refuses it too: with a stride the output size "same" promises is not
              // H, and frameworks disagree on where the padding goes.
              out.add(SpecIssue.error(path + ".padding", n, n + ".padding \"same\" needs stride 1 (got stride " + c.stride() + "); give explicit padding instead"));
              ok = false;
            }
            if (c.groups() <= 0) {
              out.add(SpecIssue.error(path + ".groups", n, n + ".groups must be > 0 (got " + c.groups() + ")"));
              ok = false;
            } else if (c.filters() > 0 && c.filters() % c.groups() != 0) {
              out.add(SpecIssue.error(path + ".groups", n, n + ".groups " + c.groups() + " must divide filters (got " + c.filters() + ")"));
              ok = false;
            }
            if (in == null) {
              return null;
            }
            if (in.rank() != 3) {
              out.add(SpecIssue.error(path, n, n + ": conv2d needs a [channels, height, width] sample, got " + in + " (rank " + in.rank() + ")"));
              return null;
            }
            if (c.groups() > 0 && in.dim(0) % c.groups() != 0) {
              out.add(SpecIssue.error(path + ".groups", n, n + ".groups " + c.groups() + " must divide the input channels (got " + in.dim(0) + " channels in " + in + ")"));
              ok = false;
            }
            if (!ok) {
              return null;
            }
            Shape o = ShapeInference.conv2dOutput(c, in);
            if (o.dim(1) <= 0 || o.dim(2) <= 0) {
              int kh = c.dilation().h() * (c.kernel().h() - 1) + 1;
              int kw = c.dilation().w() * (c.kernel().w() - 1) + 1;
              long ph = (long) in.dim(1) + p.top(c.kernel().h(), c.dilation().h()) + p.bottom(c.kernel().h(), c.dilation().h());
              long pw = (long) in.dim(2) + p.left(c.kernel().w(), c.dilation().w()) + p.right(c.kernel().w(), c.dilation().w());
              out.add(SpecIssue.error(path + ".kernel", n, n + ": kernel " + c.kernel() + " (extent [" + kh + ", " + kw + "] with dilation) is larger than the padded input [" + ph + ", " + pw + "] of " + in + "; the output would be " + o));
            }
            return null;
          }

          @Override
          public Void maxPool2d(Layer.MaxPool2d p) {
            pool(p.kernel(), p.stride(), p.padding());
            return null;
          }

          @Override
          public Void avgPool2d(Layer.AvgPool2d p) {
            pool(p.kernel(), p.stride(), p.padding());
            return null;
          }

          @Override
          public Void globalAvgPool2d(Layer.GlobalAvgPool2d l) {
            imageInput("global_avg_pool2d");
            return null;
          }

          @Override
          public Void batchNorm(Layer.BatchNorm b) {
            if (!(b.momentum() >= 0 && b.momentum() <= 1)) {
              out.add(SpecIssue.error(path + ".momentum", n, n + ".momentum must be in [0, 1] (got " + b.momentum() + "; it weighs the new batch statistic, PyTorch's convention: Keras's 0.99 is 0.01 here)"));
            }
            epsilon(b.epsilon());
            if (in != null && in.rank() != 1 && in.rank() != 3) {
              out.add(SpecIssue.error(path, n, n + ": batch_norm needs a [features] or [channels, height, width] sample, got " + in + " (rank " + in.rank() + ")"));
            }
            return null;
          }

          @Override
          public Void layerNorm(Layer.LayerNorm l) {
            epsilon(l.epsilon());
            if (l.axes() < 1) {
              out.add(SpecIssue.error(path + ".axes", n, n + ".axes must be >= 1 (got " + l.axes() + ")"));
            } else if (in != null && l.axes() > in.rank()) {
              out.add(SpecIssue.error(path + ".axes", n, n + ".axes " + l.axes() + " is more than the " + in.rank() + " axes of its input " + in));
            }
            return null;
          }

          @Override
          public Void add(Layer.Add a) {
            if (ins == null) {
              return null;
            }
            for (int k = 1; k < ins.size(); k++) {
              if (!ins.get(k).equals(ins.get(0))) {
                out.add(SpecIssue.error(path + ".inputs[" + k + "]", n, "shape mismatch at add '" + n + "': '" + names.get(0) + "' gives " + ins.get(0) + " but '" + names.get(k) + "' gives " + ins.get(k) + " (add needs identical shapes; no broadcasting)"));
              }
            }
            return null;
          }

          @Override
          public Void concat(Layer.Concat c) {
            if (ins == null) {
              return null;
            }
            int rank = in.rank();
            if (c.axis() < -rank || c.axis() >= rank) {
              out.add(SpecIssue.error(path + ".axis", n, n + ".axis " + c.axis() + " is out of range for inputs of rank " + rank + " (use 0.." + (rank - 1) + ", or -1 for the last; the batch axis is not counted)"));
              return null;
            }
            int axis = c.sampleAxis(rank);
            for (int k = 1; k < ins.size(); k++) {
              Shape s = ins.get(k);
              boolean match = s.rank() == rank;
              for (int d = 0; match && d < rank; d++) {
                match = d == axis || s.dim(d) == in.dim(d);
              }
              if (!match) {
                out.add(SpecIssue.error(path + ".inputs[" + k + "]", n, "shape mismatch at concat '" + n + "': '" + names.get(0) + "' gives " + in + " but '" + names.get(k) + "' gives " + s + " (all axes but axis " + c.axis() + " must agree)"));
              }
            }
            return null;
          }

          private void epsilon(double eps) {
            if (!(eps > 0) || Double.isInfinite(eps)) {
              out.add(SpecIssue.error(path + ".epsilon", n, n + ".epsilon must be > 0 and finite (got " + eps + ")"));
            }
          }

          private void pool(Layer.Hw kernel, Layer.Hw stride, Layer.Hw padding) {
            boolean ok = positive(kernel, "kernel");
            ok &= positive(stride, "stride");
            if (padding.h() < 0 || padding.w() < 0) {
              out.add(SpecIssue.error(path + ".padding", n, n + ".padding must be >= 0 (got " + padding + ")"));
              ok = false;
            } else if (ok && (2 * padding.h() > kernel.h() || 2 * padding.w() > kernel.w())) {
              // PyTorch's rule: a window made mostly of padding would hold no input at all.
              out.add(SpecIssue.error(path + ".padding", n, n + ".padding " + padding + " must be at most half the kernel " + kernel));
              ok = false;
            }
            if (!imageInput(layer.type()) || !ok) {
              return;
            }
            Shape o = ShapeInference.poolOutput(kernel, stride, padding, in);
            if (o.dim(1) <= 0 || o.dim(2) <= 0) {
              out.add(SpecIssue.error(path + ".kernel", n, n + ": kernel " + kernel + " is larger than the padded input ["
                  + ((long) in.dim(1) + 2L * padding.h()) + ", " + ((long) in.dim(2) + 2L * padding.w()) + "] of " + in + "; the output would be " + o));
            }
          }

          /** True when the input is known and is [C, H, W]; reports a wrong rank. */
          private boolean imageInput(String type) {
            if (in == null) {
              return false;
            }
            if (in.rank() != 3) {
              out.add(SpecIssue.error(path, n, n + ": " + type + " needs a [channels, height, width] sample, got " + in + " (rank " + in.rank() + ")"));
              return false;
            }
            return true;
          }

          /** Both entries > 0, else an error naming the field. */
          private boolean positive(Layer.Hw hw, String field) {
            if (hw.h() <= 0 || hw.w() <= 0) {
              out.add(SpecIssue.error(path + "." + field, n, n + "." + field + " must be > 0 (got " + hw + ")"));
              return false;
            }
            return true;
          }
        });
    return out;
  }

  private static void checkLoss(ModelSpec spec, Shape out, List<SpecIssue> issues) {
    if (spec.loss() instanceof Loss.CrossEntropy) {
      if (out.rank() != 1) {
        issues.add(
            SpecIssue.error(
                "$.loss", lastName(spec),
                "shape mismatch: cross_entropy needs one logit vector per sample, but the last layer '"
                    + lastName(spec) + "' outputs " + out + " (add a flatten or dense layer)"));
      } else if (out.dim(0) < 2) {
        issues.add(
            SpecIssue.error(
                "$.loss", lastName(spec),
                "shape mismatch: cross_entropy needs at least 2 classes, but the last layer '"
                    + lastName(spec) + "' outputs " + out));
      }
    }
  }

  private static void checkOptimizer(Optimizer o, List<SpecIssue> issues) {
    String p = "$.optimizer";
    if (!(o.learningRate() > 0) || Double.isInfinite(o.learningRate())) {
      issues.add(SpecIssue.error(p + ".learning_rate", null, "learning_rate must be > 0 (got " + o.learningRate() + ")"));
    }
    if (!(o.weightDecay() >= 0)) {
      issues.add(SpecIssue.error(p + ".weight_decay", null, "weight_decay must be >= 0 (got " + o.weightDecay() + ")"));
    }
    if (o instanceof Optimizer.Sgd s) {
      if (!(s.momentum() >= 0 && s.momentum() < 1)) {
        issues.add(SpecIssue.error(p + ".momentum", null, "momentum must be in [0, 1) (got " + s.momentum() + ")"));
      }
      if (s.nesterov() && s.momentum() == 0) {
        issues.add(SpecIssue.error(p + ".nesterov", null, "nesterov needs momentum > 0"));
      }
    } else if (o instanceof Optimizer.Adam a) {
      if (!(a.beta1() >= 0 && a.beta1() < 1)) {
        issues.add(SpecIssue.error(p + ".beta1", null, "beta1 must be in [0, 1) (got " + a.beta1() + ")"));
      }
      if (!(a.beta2() >= 0 && a.beta2() < 1)) {
        issues.add(SpecIssue.error(p + ".beta2", null, "beta2 must be in [0, 1) (got " + a.beta2() + ")"));
      }
      if (!(a.epsilon() > 0)) {
        issues.add(SpecIssue.error(p + ".epsilon", null, "epsilon must be > 0 (got " + a.epsilon() + ")"));
      }
    }
  }

  private static void checkTraining(Training t, List<SpecIssue> issues) {
    if (t.epochs() <= 0) {
      issues.add(SpecIssue.error("$.training.epochs", null, "epochs must be > 0 (got " + t.epochs() + ")"));
    }
    if (t.batchSize() <= 0) {
      issues.add(SpecIssue.error("$.training.batch_size", null, "batch_size must be > 0 (got " + t.batchSize() + ")"));
    }
  }

  /** Legal but almost surely a mistake: the founding text's TensorFlow bug among them. */
  private static void lint(ModelSpec spec, List<SpecIssue> issues) {
    List<Layer> layers = spec.layers();
    if (layers.isEmpty()) {
      return;
    }
    int last = layers.size() - 1;
    Layer tail = layers.get(last);
    if (spec.loss() instanceof Loss.CrossEntropy && tail instanceof Layer.Softmax) {
      issues.add(
          SpecIssue.warning(
              "$.layers[" + last + "]", tail.name(),
              "layer '" + tail.name() + "' applies softmax before cross_entropy, which already applies"
                  + " softmax to logits: the model would train on softmax(softmax(z)). Remove '"
                  + tail.name() + "'; apply softmax at prediction time instead"));
    }
    java.util.Set<String> read = new java.util.HashSet<>();
    for (int i = 0; i < layers.size(); i++) {
      read.addAll(spec.inputsOf(i));
    }
    for (int i = 0; i < last; i++) {
      String n = layers.get(i).name();
      if (!read.contains(n)) {
        issues.add(
            SpecIssue.warning(
                "$.layers[" + i + "]", n,
                "layer '" + n + "' is never read: its output does not reach the model output (the last layer, '"
                    + tail.name() + "')"));
      }
    }
    if (tail instanceof Layer.Dropout) {
      issues.add(
          SpecIssue.warning(
              "$.layers[" + last + "]", tail.name(),
              "layer '" + tail.name() + "' is dropout on the model output; outputs will be zeroed in training"));
    }
  }

  private static String lastName(ModelSpec spec) {
    return spec.layers().isEmpty() ? null : spec.layers().get(spec.layers().size() - 1).name();
  }
}
