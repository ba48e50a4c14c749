package dev.rosetta.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes the {@code rosetta/v1} JSON format. Reading reports every problem at once,
 * each with its JSON path and layer name, then runs {@link SpecValidator}. Type names are
 * explicit strings; nothing is bound by reflection.
 */
public final class SpecJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private SpecJson() {}

  /** Reads a spec file. */
  public static ModelSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SpecException(
          file.toString(), List.of(SpecIssue.error("$", null, "file not found: " + file)));
    } catch (IOException e) {
      throw new SpecException(
          file.toString(), List.of(SpecIssue.error("$", null, "cannot read file: " + e)));
    }
    return parse(text, file.toString());
  }

  /** Parses spec JSON; {@code source} names the input in error messages. */
  public static ModelSpec parse(String json, String source) {
    ParseResult r = parseWithReport(json, source);
    if (r.report().hasErrors()) {
      throw new SpecException(source, r.report().issues());
    }
    return r.spec();
  }

  /** A parsed spec (null when structurally unusable) and every finding, warnings included. */
  public record ParseResult(ModelSpec spec, ValidationReport report) {}

  /** Parses and validates without throwing, for `rosetta validate`. */
  public static ParseResult parseWithReport(String json, String source) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
      return new ParseResult(
          null,
          new ValidationReport(
              List.of(SpecIssue.error("$", null, "not valid JSON" + where + ": " + e.getOriginalMessage()))));
    }
    Reader reader = new Reader();
    ModelSpec spec = reader.model(root);
    if (!reader.issues.isEmpty() || spec == null) {
      return new ParseResult(null, new ValidationReport(reader.issues));
    }
    return new ParseResult(spec, SpecValidator.validate(spec));
  }

  /** Canonical JSON: every field explicit, stable order. The spec hash is taken over this. */
  public static String write(ModelSpec spec) {
    try {
      return MAPPER.writeValueAsString(toTree(spec)) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 of the canonical JSON, hex; travels in checkpoints and ONNX metadata. */
  public static String hash(ModelSpec spec) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(write(spec).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ObjectNode toTree(ModelSpec spec) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", ModelSpec.FORMAT);
    root.put("name", spec.name());
    ArrayNode shape = root.putObject("input").putArray("shape");
    for (int d : spec.input().dims()) {
      shape.add(d);
    }
    ArrayNode layers = root.putArray("layers");
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      ObjectNode n = layers.addObject();
      n.put("type", layer.type());
      n.put("name", layer.name());
      // Written only where the layer does not simply read its predecessor, so a stack's
      // canonical form (and hash) does not depend on the graph feature.
      List<String> ins = spec.inputsOf(i);
      if (!ins.equals(spec.previousOf(i))) {
        ArrayNode a = n.putArray("inputs");
        ins.forEach(a::add);
      }
      layer.accept(
          new Layer.Visitor<Void>() {
            @Override
            public Void dense(Layer.Dense d) {
              n.put("units", d.units());
              n.put("bias", d.bias());
              n.put("weight_init", d.weightInit().jsonName());
              n.put("bias_init", d.biasInit().jsonName());
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
              return null;
            }

            @Override
            public Void dropout(Layer.Dropout d) {
              n.put("rate", d.rate());
              return null;
            }

            @Override
            public Void leakyRelu(Layer.LeakyRelu l) {
              n.put("negative_slope", l.negativeSlope());
              return null;
            }

            @Override
            public Void elu(Layer.Elu l) {
              n.put("alpha", l.alpha());
              return null;
            }

            @Override
            public Void gelu(Layer.Gelu l) {
              return null;
            }

            @Override
            public Void reshape(Layer.Reshape r) {
              ArrayNode dims = n.putArray("shape");
              r.shape().forEach(dims::add);
              return null;
            }

            @Override
            public Void conv2d(Layer.Conv2d c) {
              n.put("filters", c.filters());
              pair(n, "kernel", c.kernel());
              pair(n, "stride", c.stride());
              if (c.padding().same()) {
                n.put("padding", "same");
              } else {
                pair(n, "padding", new Layer.Hw(c.padding().h(), c.padding().w()));
              }
              pair(n, "dilation", c.dilation());
              n.put("groups", c.groups());
              n.put("bias", c.bias());
              n.put("weight_init", c.weightInit().jsonName());
              n.put("bias_init", c.biasInit().jsonName());
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
              return null;
            }

            @Override
            public Void batchNorm(Layer.BatchNorm b) {
              n.put("momentum", b.momentum());
              n.put("epsilon", b.epsilon());
              return null;
            }

            @Override
            public Void layerNorm(Layer.LayerNorm l) {
              n.put("axes", l.axes());
              n.put("epsilon", l.epsilon());
              return null;
            }

            @Override
            public Void add(Layer.Add a) {
              return null;
            }

            @Override
            public Void concat(Layer.Concat c) {
              n.put("axis", c.axis());
              return null;
            }

            private void pool(Layer.Hw kernel, Layer.Hw stride, Layer.Hw padding) {
              pair(n, "kernel", kernel);
              pair(n, "stride", stride);
              pair(n, "padding", padding);
            }
          });
    }
    root.putObject("loss").put("type", spec.loss().type());
    ObjectNode opt = root.putObject("optimizer");
    opt.put("type", spec.optimizer().type());
    if (spec.optimizer() instanceof Optimizer.Sgd s) {
      opt.put("learning_rate", s.learningRate());
      opt.put("momentum", s.momentum());
      opt.put("weight_decay", s.weightDecay());
      opt.put("nesterov", s.nesterov());
    } else if (spec.optimizer() instanceof Optimizer.Adam a) {
      opt.put("learning_rate", a.learningRate());
      opt.put("beta1", a.beta1());
      opt.put("beta2", a.beta2());
      opt.put("epsilon", a.epsilon());
      opt.put("weight_decay", a.weightDecay());
    }
    ObjectNode t = root.putObject("training");
    t.put("epochs", spec.training().epochs());
    t.put("batch_size", spec.training().batchSize());
    t.put("seed", spec.training().seed());
    t.put("shuffle", spec.training().shuffle());
    return root;
  }

  /** Canonical form of a pair: always the two-element array, never the int shorthand. */
  private static void pair(ObjectNode n, String field, Layer.Hw hw) {
    n.putArray(field).add(hw.h()).add(hw.w());
  }

  /** Tree-to-IR reader that keeps going after an error so the report is complete. */
  private static final class Reader {
    final List<SpecIssue> issues = new ArrayList<>();
    final java.util.Map<String, List<String>> connections = new java.util.LinkedHashMap<>();
    static final Set<String> TOP =
        Set.of("format", "name", "input", "layers", "loss", "optimizer", "training");

    ModelSpec model(JsonNode root) {
      if (!root.isObject()) {
        error("$", null, "a spec must be a JSON object, got " + kind(root));
        return null;
      }
      unknownKeys(root, "$", null, TOP);
      String format = string(root, "$", "format", null, null);
      if (format != null && !format.equals(ModelSpec.FORMAT)) {
        error("$.format", null, "format must be \"" + ModelSpec.FORMAT + "\" (got \"" + format + "\")");
      }
      String name = string(root, "$", "name", null, "model");
      Shape input = input(root.get("input"));
      List<Layer> layers = layers(root.get("layers"));
      Loss loss = loss(root.get("loss"));
      Optimizer opt = optimizer(root.get("optimizer"));
      Training training = training(root.get("training"));
      if (input == null || layers == null || loss == null || opt == null || training == null) {
        return null;
      }
      return new ModelSpec(name, input, layers, connections, loss, opt, training);
    }

    Shape input(JsonNode n) {
      if (n == null) {
        error("$.input", null, "missing required field \"input\" (e.g. {\"shape\": [784]})");
        return null;
      }
      if (!isObject(n, "$.input", null)) {
        return null;
      }
      unknownKeys(n, "$.input", null, Set.of("shape"));
      JsonNode s = n.get("shape");
      if (s == null) {
        error("$.input.shape", null, "missing required field \"shape\"");
        return null;
      }
      if (!s.isArray() || s.isEmpty()) {
        error("$.input.shape", null, "shape must be a non-empty array of integers, got " + kind(s));
        return null;
      }
      int[] dims = new int[s.size()];
      boolean ok = true;
      for (int i = 0; i < s.size(); i++) {
        JsonNode d = s.get(i);
        if (!d.isIntegralNumber() || !d.canConvertToInt()) {
          error("$.input.shape[" + i + "]", null, "dimension must be an integer, got " + kind(d));
          ok = false;
        } else {
          dims[i] = d.intValue();
        }
      }
      return ok ? Shape.of(dims) : null;
    }

    List<Layer> layers(JsonNode n) {
      if (n == null) {
        error("$.layers", null, "missing required field \"layers\"");
        return null;
      }
      if (!n.isArray()) {
        error("$.layers", null, "layers must be an array, got " + kind(n));
        return null;
      }
      List<Layer> out = new ArrayList<>();
      boolean ok = true;
      for (int i = 0; i < n.size(); i++) {
        Layer l = layer(n.get(i), "$.layers[" + i + "]");
        if (l == null) {
          ok = false;
        } else {
          out.add(l);
        }
      }
      return ok ? out : null;
    }

    Layer layer(JsonNode n, String path) {
      if (!isObject(n, path, null)) {
        return null;
      }
      String name = n.hasNonNull("name") && n.get("name").isTextual() ? n.get("name").asText() : null;
      String type = string(n, path, "type", name, null);
      string(n, path, "name", name, null);
      if (type == null || name == null) {
        return null;
      }
      int before = issues.size();
      if (n.has("inputs")) {
        List<String> ins = stringArray(n, path, "inputs", name);
        if (ins != null) {
          connections.put(name, ins);
        }
      }
      Layer layer =
          switch (type) {
            case "dense" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "units", "bias", "weight_init", "bias_init"));
              Integer units = integer(n, path, "units", name, null);
              Boolean bias = bool(n, path, "bias", name, true);
              Init wi = init(n, path, "weight_init", name);
              Init bi = init(n, path, "bias_init", name);
              yield units == null || bias == null || wi == null || bi == null
                  ? null
                  : new Layer.Dense(name, units, bias, wi, bi);
            }
            case "relu" -> simple(n, path, name, new Layer.Relu(name));
            case "sigmoid" -> simple(n, path, name, new Layer.Sigmoid(name));
            case "tanh" -> simple(n, path, name, new Layer.Tanh(name));
            case "softmax" -> simple(n, path, name, new Layer.Softmax(name));
            case "flatten" -> simple(n, path, name, new Layer.Flatten(name));
            case "dropout" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "rate"));
              Double rate = number(n, path, "rate", name, null);
              yield rate == null ? null : new Layer.Dropout(name, rate);
            }
            case "leaky_relu" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "negative_slope"));
              Double slope = number(n, path, "negative_slope", name, Layer.LeakyRelu.DEFAULT_NEGATIVE_SLOPE);
              yield slope == null ? null : new Layer.LeakyRelu(name, slope);
            }
            case "elu" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "alpha"));
              Double alpha = number(n, path, "alpha", name, Layer.Elu.DEFAULT_ALPHA);
              yield alpha == null ? null : new Layer.Elu(name, alpha);
            }
            case "gelu" -> simple(n, path, name, new Layer.Gelu(name));
            case "reshape" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "shape"));
              List<Integer> dims = intArray(n, path, "shape", name);
              yield dims == null ? null : new Layer.Reshape(name, dims);
            }
            case "conv2d" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "filters", "kernel", "stride", "padding", "dilation", "groups", "bias", "weight_init", "bias_init"));
              Integer filters = integer(n, path, "filters", name, null);
              Layer.Hw kernel = hw(n, path, "kernel", name, null);
              Layer.Hw stride = hw(n, path, "stride", name, 1);
              Layer.Padding padding = padding(n, path, name);
              Layer.Hw dilation = hw(n, path, "dilation", name, 1);
              Integer groups = integer(n, path, "groups", name, 1);
              Boolean bias = bool(n, path, "bias", name, true);
              Init wi = init(n, path, "weight_init", name);
              Init bi = init(n, path, "bias_init", name);
              yield filters == null || kernel == null || stride == null || padding == null || dilation == null
                      || groups == null || bias == null || wi == null || bi == null
                  ? null
                  : new Layer.Conv2d(name, filters, kernel, stride, padding, dilation, groups, bias, wi, bi);
            }
            case "max_pool2d", "avg_pool2d" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "kernel", "stride", "padding"));
              Layer.Hw kernel = hw(n, path, "kernel", name, null);
              // PyTorch's default stride is the kernel size; without a kernel there is no default.
              Layer.Hw stride =
                  n.hasNonNull("stride") || kernel == null ? hw(n, path, "stride", name, 1) : kernel;
              Layer.Hw padding = hw(n, path, "padding", name, 0);
              yield kernel == null || stride == null || padding == null
                  ? null
                  : type.equals("max_pool2d")
                      ? new Layer.MaxPool2d(name, kernel, stride, padding)
                      : new Layer.AvgPool2d(name, kernel, stride, padding);
            }
            case "global_avg_pool2d" -> simple(n, path, name, new Layer.GlobalAvgPool2d(name));
            case "batch_norm" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "momentum", "epsilon"));
              Double m = number(n, path, "momentum", name, Layer.BatchNorm.DEFAULT_MOMENTUM);
              Double eps = number(n, path, "epsilon", name, Layer.BatchNorm.DEFAULT_EPSILON);
              yield m == null || eps == null ? null : new Layer.BatchNorm(name, m, eps);
            }
            case "layer_norm" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "axes", "epsilon"));
              Integer axes = integer(n, path, "axes", name, 1);
              Double eps = number(n, path, "epsilon", name, Layer.LayerNorm.DEFAULT_EPSILON);
              yield axes == null || eps == null ? null : new Layer.LayerNorm(name, axes, eps);
            }
            case "add" -> simple(n, path, name, new Layer.Add(name));
            case "concat" -> {
              unknownKeys(n, path, name, Set.of("type", "name", "axis"));
              Integer axis = integer(n, path, "axis", name, 0);
              yield axis == null ? null : new Layer.Concat(name, axis);
            }
            default -> {
              error(
                  path + ".type",
                  name,
                  "layer '" + name + "': unknown type \"" + type + "\" (known: " + String.join(", ", SpecValidator.LAYER_TYPES) + ")");
              yield null;
            }
          };
      return issues.size() == before ? layer : null;
    }

    /**
     * An int (both axes) or a [h, w] pair of ints; values are checked by the validator. A null
     * default makes the field required.
     */
    Layer.Hw hw(JsonNode obj, String path, String field, String layer, Integer dflt) {
      JsonNode v = obj.get(field);
      String p = path + "." + field;
      if (v == null || v.isNull()) {
        if (dflt == null) {
          error(p, layer, prefix(layer) + "missing required field \"" + field + "\" (an integer or [height, width])");
          return null;
        }
        return Layer.Hw.of(dflt);
      }
      if (v.isIntegralNumber() && v.canConvertToInt()) {
        return Layer.Hw.of(v.intValue());
      }
      if (v.isArray() && v.size() == 2
          && v.get(0).isIntegralNumber() && v.get(0).canConvertToInt()
          && v.get(1).isIntegralNumber() && v.get(1).canConvertToInt()) {
        return new Layer.Hw(v.get(0).intValue(), v.get(1).intValue());
      }
      error(p, layer, prefix(layer) + field + " must be an integer or [height, width], got " + kind(v));
      return null;
    }

    /** "same", "valid" (no padding), an int or a [h, w] pair; default no padding. */
    Layer.Padding padding(JsonNode obj, String path, String layer) {
      JsonNode v = obj.get("padding");
      if (v != null && v.isTextual()) {
        switch (v.asText()) {
          case "same":
            return Layer.Padding.sameAsInput();
          case "valid":
            return Layer.Padding.explicit(0, 0);
          default:
            error(path + ".padding", layer, prefix(layer) + "padding must be \"same\", \"valid\", an integer or [height, width], got " + kind(v));
            return null;
        }
      }
      Layer.Hw hw = hw(obj, path, "padding", layer, 0);
      return hw == null ? null : Layer.Padding.explicit(hw.h(), hw.w());
    }

    Layer simple(JsonNode n, String path, String name, Layer layer) {
      unknownKeys(n, path, name, Set.of("type", "name"));
      return layer;
    }

    Init init(JsonNode n, String path, String field, String layer) {
      String s = string(n, path, field, layer, Init.UNIFORM_FAN_IN.jsonName());
      if (s == null) {
        return null;
      }
      return Init.fromJson(s)
          .orElseGet(
              () -> {
                List<String> known = new ArrayList<>();
                for (Init i : Init.values()) {
                  known.add(i.jsonName());
                }
                error(path + "." + field, layer, layer + "." + field + ": unknown initialiser \"" + s + "\" (known: " + String.join(", ", known) + ")");
                return null;
              });
    }

    Loss loss(JsonNode n) {
      if (n == null) {
        error("$.loss", null, "missing required field \"loss\" (e.g. {\"type\": \"cross_entropy\"})");
        return null;
      }
      if (!isObject(n, "$.loss", null)) {
        return null;
      }
      unknownKeys(n, "$.loss", null, Set.of("type"));
      String type = string(n, "$.loss", "type", null, null);
      if (type == null) {
        return null;
      }
      return switch (type) {
        case "cross_entropy" -> new Loss.CrossEntropy();
        case "mse" -> new Loss.Mse();
        default -> {
          error("$.loss.type", null, "unknown loss \"" + type + "\" (known: cross_entropy, mse)");
          yield null;
        }
      };
    }

    Optimizer optimizer(JsonNode n) {
      if (n == null) {
        error("$.optimizer", null, "missing required field \"optimizer\" (e.g. {\"type\": \"sgd\", \"learning_rate\": 0.01})");
        return null;
      }
      if (!isObject(n, "$.optimizer", null)) {
        return null;
      }
      String p = "$.optimizer";
      String type = string(n, p, "type", null, null);
      if (type == null) {
        return null;
      }
      int before = issues.size();
      Optimizer o =
          switch (type) {
            case "sgd" -> {
              unknownKeys(n, p, null, Set.of("type", "learning_rate", "momentum", "weight_decay", "nesterov"));
              Double lr = number(n, p, "learning_rate", null, null);
              Double m = number(n, p, "momentum", null, 0.0);
              Double wd = number(n, p, "weight_decay", null, 0.0);
              Boolean nest = bool(n, p, "nesterov", null, false);
              yield lr == null || m == null || wd == null || nest == null ? null : new Optimizer.Sgd(lr, m, wd, nest);
            }
            case "adam" -> {
              unknownKeys(n, p, null, Set.of("type", "learning_rate", "beta1", "beta2", "epsilon", "weight_decay"));
              Double lr = number(n, p, "learning_rate", null, 0.001);
              Double b1 = number(n, p, "beta1", null, 0.9);
              Double b2 = number(n, p, "beta2", null, 0.999);
              Double eps = number(n, p, "epsilon", null, 1e-8);
              Double wd = number(n, p, "weight_decay", null, 0.0);
              yield lr == null || b1 == null || b2 == null || eps == null || wd == null ? null : new Optimizer.Adam(lr, b1, b2, eps, wd);
            }
            default -> {
              error(p + ".type", null, "unknown optimizer \"" + type + "\" (known: sgd, adam)");
              yield null;
            }
          };
      return issues.size() == before ? o : null;
    }

    Training training(JsonNode n) {
      if (n == null) {
        return Training.DEFAULT;
      }
      String p = "$.training";
      if (!isObject(n, p, null)) {
        return null;
      }
      unknownKeys(n, p, null, Set.of("epochs", "batch_size", "seed", "shuffle"));
      Training d = Training.DEFAULT;
      Integer epochs = integer(n, p, "epochs", null, d.epochs());
      Integer batch = integer(n, p, "batch_size", null, d.batchSize());
      Long seed = longValue(n, p, "seed", d.seed());
      Boolean shuffle = bool(n, p, "shuffle", null, d.shuffle());
      if (epochs == null || batch == null || seed == null || shuffle == null) {
        return null;
      }
      return new Training(epochs, batch, seed, shuffle);
    }

    // ---- typed field access; each reports its own error and returns null ----

    String string(JsonNode obj, String path, String field, String layer, String dflt) {
      JsonNode v = obj.get(field);
      if (v == null || v.isNull()) {
        if (dflt == null) {
          error(path + "." + field, layer, prefix(layer) + "missing required field \"" + field + "\"");
        }
        return dflt;
      }
      if (!v.isTextual()) {
        error(path + "." + field, layer, prefix(layer) + field + " must be a string, got " + kind(v));
        return null;
      }
      return v.asText();
    }

    Integer integer(JsonNode obj, String path, String field, String layer, Integer dflt) {
      JsonNode v = obj.get(field);
      if (v == null || v.isNull()) {
        if (dflt == null) {
          error(path + "." + field, layer, prefix(layer) + "missing required field \"" + field + "\"");
        }
        return dflt;
      }
      if (!v.isIntegralNumber() || !v.canConvertToInt()) {
        error(path + "." + field, layer, prefix(layer) + field + " must be an integer, got " + kind(v));
        return null;
      }
      return v.intValue();
    }

    /** A required array of integers; values are checked by the validator, types here. */
    List<Integer> intArray(JsonNode obj, String path, String field, String layer) {
      JsonNode v = obj.get(field);
      if (v == null || v.isNull()) {
        error(path + "." + field, layer, prefix(layer) + "missing required field \"" + field + "\" (e.g. [3, 32, 32])");
        return null;
      }
      if (!v.isArray()) {
        error(path + "." + field, layer, prefix(layer) + field + " must be an array of integers, got " + kind(v));
        return null;
      }
      List<Integer> out = new ArrayList<>();
      boolean ok = true;
      for (int i = 0; i < v.size(); i++) {
        JsonNode d = v.get(i);
        if (!d.isIntegralNumber() || !d.canConvertToInt()) {
          error(path + "." + field + "[" + i + "]", layer, prefix(layer) + field + "[" + i + "] must be an integer, got " + kind(d));
          ok = false;
        } else {
          out.add(d.intValue());
        }
      }
      return ok ? out : null;
    }

    /** An array of layer names ({@code inputs}); whether they exist is the validator's call. */
    List<String> stringArray(JsonNode obj, String path, String field, String layer) {
      JsonNode v = obj.get(field);
      String p = path + "." + field;
      if (!v.isArray() || v.isEmpty()) {
        error(p, layer, prefix(layer) + field + " must be a non-empty array of layer names (or \"" + ModelSpec.INPUT + "\"), got " + kind(v));
        return null;
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        JsonNode d = v.get(i);
        if (!d.isTextual()) {
          error(p + "[" + i + "]", layer, prefix(layer) + field + "[" + i + "] must be a layer name, got " + kind(d));
          return null;
        }
        out.add(d.asText());
      }
      return out;
    }

    Long longValue(JsonNode obj, String path, String field, Long dflt) {
      JsonNode v = obj.get(field);
      if (v == null || v.isNull()) {
        return dflt;
      }
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        error(path + "." + field, null, field + " must be an integer, got " + kind(v));
        return null;
      }
      return v.longValue();
    }

    Double number(JsonNode obj, String path, String field, String layer, Double dflt) {
      JsonNode v = obj.get(field);
      if (v == null || v.isNull()) {
        if (dflt == null) {
          error(path + "." + field, layer, prefix(layer) + "missing required field \"" + field + "\"");
        }
        return dflt;
      }
      if (!v.isNumber()) {
        error(path + "." + field, layer, prefix(layer) + field + " must be a number, got " + kind(v));
        return null;
      }
      return v.doubleValue();
    }

    Boolean bool(JsonNode obj, String path, String field, String layer, Boolean dflt) {
      JsonNode v = obj.get(field);
      if (v == null || v.isNull()) {
        return dflt;
      }
      if (!v.isBoolean()) {
        error(path + "." + field, layer, prefix(layer) + field + " must be true or false, got " + kind(v));
        return null;
      }
      return v.booleanValue();
    }

    boolean isObject(JsonNode n, String path, String layer) {
      if (!n.isObject()) {
        error(path, layer, "expected an object, got " + kind(n));
        return false;
      }
      return true;
    }

    void unknownKeys(JsonNode obj, String path, String layer, Set<String> allowed) {
      // Any layer may name its inputs.
      Set<String> known = new java.util.HashSet<>(allowed);
      if (layer != null) {
        known.add("inputs");
      }
      Set<String> unknown = new LinkedHashSet<>();
      obj.fieldNames().forEachRemaining(k -> {
        if (!known.contains(k)) {
          unknown.add(k);
        }
      });
      for (String k : unknown) {
        error(
            path + "." + k,
            layer,
            prefix(layer) + "unknown field \"" + k + "\" (allowed: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }

    void error(String path, String layer, String message) {
      issues.add(SpecIssue.error(path, layer, message));
    }

    static String prefix(String layer) {
      return layer == null ? "" : "layer '" + layer + "': ";
    }

    static String kind(JsonNode n) {
      if (n.isTextual()) {
        return "string \"" + n.asText() + "\"";
      }
      if (n.isNumber() || n.isBoolean()) {
        return n.getNodeType().name().toLowerCase() + " " + n;
      }
      return n.getNodeType().name().toLowerCase();
    }
  }
}
