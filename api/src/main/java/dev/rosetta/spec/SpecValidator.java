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
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private SpecValidator() {}

  /**
   * Every error and warning, and (when there are no errors) the checked spec with every layer's
   * shapes and parameters.
   */
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
    if (spec.takesTokens() && in.rank() != 1) {
      issues.add(SpecIssue.error("$.input.shape", null,
          "int64 token input must be [sequence length] (rank 1), got " + in + " (rank " + in.rank() + ")"));
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
    List<LayerShape> layerShapes = new ArrayList<>();
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
      checkTokens(spec, layer, path, ins, own);
      issues.addAll(own);
      boolean ok = own.stream().noneMatch(x -> x.severity() == SpecIssue.Severity.ERROR);
      if (inShapes != null && ok && name != null) {
        Shape out = layer.output(inShapes);
        shapes.put(name, out);
        layerShapes.add(new LayerShape(i, layer, inShapes, out, layer.params(inShapes.get(0)), spec.optionsOf(name)));
      }
    }

    checkOptions(spec, layerShapes, issues);
    String last = lastName(spec);
    if (last != null && shapes.containsKey(last)) {
      spec.loss().check(shapes.get(last), last,
          (field, message) -> issues.add(SpecIssue.error(field == null ? "$.loss" : "$.loss." + field, last, message)));
    }
    checkFields(spec.loss().kind(), spec.loss(), new Schema.Site("$.loss", null, issues), "");
    checkOptimizer(spec.optimizer(), issues);
    checkTraining(spec, issues);
    if (spec.preprocess() != null) {
      checkPreprocess(spec.preprocess(), in, issues);
    }
    lint(spec, issues);
    boolean errors = issues.stream().anyMatch(x -> x.severity() == SpecIssue.Severity.ERROR);
    List<SpecIssue> warnings = issues.stream().filter(x -> x.severity() == SpecIssue.Severity.WARNING).toList();
    return new ValidationReport(issues, errors ? null : new CheckedSpec(spec, layerShapes, warnings));
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
    if (layer.joins() && ins.size() < 2) {
      issues.add(SpecIssue.error(path, n, "layer '" + n + "' (" + layer.type() + ") joins two or more inputs, got " + ins.size() + " " + quoted(ins) + "; list them in \"inputs\""));
      ok = false;
    } else if (!layer.joins() && ins.size() != 1) {
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

  /**
   * One layer's own findings: each field's declared checks, then the kind's checks across fields
   * and against the input shapes.
   */
  private static List<SpecIssue> checkLayer(Layer layer, String path, List<String> names, List<Shape> ins) {
    List<SpecIssue> out = new ArrayList<>();
    checkFields(layer.kind(), layer, new Schema.Site(path, layer.name(), out), layer.name() + ".");
    boolean fieldsValid = out.isEmpty();
    layer.check(new LayerCheck(path, layer.name(), names, ins, fieldsValid, out));
    return out;
  }

  /**
   * Token ids are read by embeddings only, and embeddings read nothing else: the model input
   * of a spec whose input is int64 must feed embeddings alone.
   */
  private static void checkTokens(ModelSpec spec, Layer layer, String path, List<String> ins, List<SpecIssue> out) {
    boolean readsInput = ins.contains(ModelSpec.INPUT);
    String n = layer.name();
    if (layer.readsTokens() && !(spec.takesTokens() && readsInput && ins.size() == 1)) {
      out.add(SpecIssue.error(path, n, n + ": " + layer.type() + " reads int64 token ids: it must read the model input,"
          + " and the input must declare \"dtype\": \"int64\"" + (spec.takesTokens() ? "" : " (it is float32)")));
    } else if (!layer.readsTokens() && spec.takesTokens() && readsInput) {
      out.add(SpecIssue.error(path, n, "layer '" + n + "' (" + layer.type() + ") reads the model input, which holds int64"
          + " token ids; only an embedding reads token ids (put one first)"));
    }
  }

  private static <T> void checkFields(Kind<T> kind, Object value, Schema.Site site, String prefix) {
    kind.schema().check(kind.type().cast(value), site, prefix);
  }

  private static void checkOptimizer(Optimizer o, List<SpecIssue> issues) {
    String p = "$.optimizer";
    checkFields(o.kind(), o, new Schema.Site(p, null, issues), "");
    o.check((field, message) -> issues.add(SpecIssue.error(field == null ? p : p + "." + field, null, message)));
  }

  private static void checkTraining(ModelSpec spec, List<SpecIssue> issues) {
    Training t = spec.training();
    String p = "$.training";
    Training.SCHEMA.check(t, new Schema.Site(p, null, issues), "");
    if (t.schedule() != null) {
      String sp = p + "." + Training.LR_SCHEDULE;
      Schedule s = t.schedule();
      checkFields(s.kind(), s, new Schema.Site(sp, null, issues), "");
      s.check(t, spec.optimizer(), spec.loss(), at(sp, issues));
    }
    if (t.earlyStopping() != null) {
      String ep = p + "." + Training.EARLY_STOPPING;
      EarlyStopping.SCHEMA.check(t.earlyStopping(), new Schema.Site(ep, null, issues), "");
      t.earlyStopping().check(spec.loss(), at(ep, issues));
    }
    for (int i = 0; i < t.augmentation().size(); i++) {
      Augmentation a = t.augmentation().get(i);
      String ap = p + "." + Training.AUGMENTATION + "[" + i + "]";
      checkFields(a.kind(), a, new Schema.Site(ap, null, issues), "");
      a.check(spec.input(), at(ap, issues));
    }
  }

  /**
   * Per-layer training options: each value's rule, then their fit with the layer. Options on a
   * layer they cannot affect are warnings (legal, surely not meant); a penalty on a layer without
   * a kernel, or a frozen_mode on a layer without running statistics, is an error.
   */
  private static void checkOptions(ModelSpec spec, List<LayerShape> shapes, List<SpecIssue> issues) {
    Map<Integer, LayerShape> byIndex = new HashMap<>();
    shapes.forEach(sh -> byIndex.put(sh.index(), sh));
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < spec.layers().size(); i++) {
      index.putIfAbsent(spec.layers().get(i).name(), i);
    }
    boolean anyTrained = spec.layers().isEmpty();
    for (var e : spec.options().entrySet()) {
      Integer i = index.get(e.getKey());
      if (i == null) {
        issues.add(SpecIssue.error("$.layers", e.getKey(), "training options for '" + e.getKey() + "', which is not a layer"));
      }
    }
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      String n = layer.name();
      String path = "$.layers[" + i + "]";
      LayerOptions o = spec.optionsOf(n);
      LayerShape shape = byIndex.get(i);
      // Unknown after an earlier error in this layer: say nothing about parameters then.
      boolean hasParams = shape == null || shape.params().stream().anyMatch(ParamSpec::trainable);
      anyTrained |= hasParams && o.trainable();
      if (o.equals(LayerOptions.DEFAULT)) {
        continue;
      }
      LayerOptions.SCHEMA.check(o, new Schema.Site(path, n, issues), n + ".");
      if (!hasParams && (!o.trainable() || o.lrMultiplier() != 1)) {
        issues.add(SpecIssue.warning(path + "." + (o.trainable() ? "lr_multiplier" : "trainable"), n,
            "layer '" + n + "' (" + layer.type() + ") has no parameters: " + (o.trainable() ? "lr_multiplier" : "trainable")
                + " has no effect on it"));
      }
      if (o.penalised() && layer.kernelParam() == null) {
        issues.add(SpecIssue.error(path + "." + (o.l1() != 0 ? "l1" : "l2"), n,
            "layer '" + n + "' (" + layer.type() + ") has no kernel for an l1/l2 penalty (dense and conv2d do); "
                + "weight_decay on the optimizer reaches every parameter"));
      }
      if (o.frozenMode() != LayerOptions.DEFAULT.frozenMode()) {
        if (!layer.keepsStatistics()) {
          issues.add(SpecIssue.error(path + ".frozen_mode", n,
              "layer '" + n + "' (" + layer.type() + "): frozen_mode applies to batch_norm only"));
        } else if (o.trainable()) {
          issues.add(SpecIssue.warning(path + ".frozen_mode", n,
              "layer '" + n + "' is trainable: frozen_mode applies only when \"trainable\": false"));
        }
      }
    }
    if (!anyTrained) {
      issues.add(SpecIssue.warning("$.layers", null, "every layer with parameters is frozen: training will change nothing"
          + " but batch-norm statistics"));
    }
  }

  /** Checks that report at {@code path} or one of its fields. */
  private static Checks at(String path, List<SpecIssue> issues) {
    return (field, message) -> issues.add(SpecIssue.error(field == null ? path : path + "." + field, null, message));
  }

  /**
   * The preprocess section's fields and steps, which step fills each column's slots, and that the
   * input is one vector at least as wide as the columns. The exact width depends on the one-hot
   * vocabularies, known only once fitted on training data; it is checked then.
   */
  private static void checkPreprocess(Preprocess p, Shape in, List<SpecIssue> issues) {
    Preprocess.SCHEMA.check(p, new Schema.Site("$.preprocess", null, issues), "");
    for (int i = 0; i < p.steps().size(); i++) {
      PreprocessStep step = p.steps().get(i);
      checkFields(step.kind(), step, new Schema.Site("$.preprocess.steps[" + i + "]", null, issues), step.type() + ".");
    }
    p.plan(issues);
    int columns = p.numeric().size() + p.categorical().size();
    if (in.rank() != 1) {
      issues.add(SpecIssue.error("$.input.shape", null,
          "a spec with a preprocess section reads one feature vector per row: input.shape must be [width], got " + in));
    } else if (in.dim(0) > 0 && in.dim(0) < columns) {
      issues.add(SpecIssue.error("$.input.shape", null, "input.shape " + in + " is narrower than the " + columns
          + " preprocess columns (numeric columns give 1 feature each, a one-hot column 1 per category)"));
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
