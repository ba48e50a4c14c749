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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads and writes the {@code rosetta/v1} JSON format. Reading reports every problem at once,
 * each with its JSON path and layer name, then runs {@link SpecValidator}. Type names and fields
 * come from each kind's declaration ({@link Kind}, {@link Schema}); nothing is bound by
 * reflection.
 */
public final class SpecJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Keys every layer object may carry besides its kind's fields. */
  private static final Set<String> LAYER_KEYS = Set.of("type", "name", "inputs");

  private SpecJson() {}

  /** Reads and validates a spec file. */
  public static CheckedSpec read(Path file) {
    return parse(readText(file), file.toString());
  }

  /**
   * A JSON document's text (a spec, a sweep), with a missing or unreadable file reported as a
   * {@link SpecException} at {@code $}.
   */
  public static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SpecException(
          file.toString(), List.of(SpecIssue.error("$", null, "file not found: " + file)));
    } catch (IOException e) {
      throw new SpecException(
          file.toString(), List.of(SpecIssue.error("$", null, "cannot read file: " + e)));
    }
  }

  /**
   * Parses and validates spec JSON; {@code source} names the input in error messages.
   *
   * @throws SpecException listing every error
   */
  public static CheckedSpec parse(String json, String source) {
    ParseResult r = parseWithReport(json, source);
    return r.report().checkedSpec().orElseThrow(() -> new SpecException(source, r.report().issues()));
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

  public static String write(CheckedSpec spec) {
    return write(spec.spec());
  }

  public static String hash(CheckedSpec spec) {
    return hash(spec.spec());
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
    // Written only for token ids, so float specs' canonical form (and hash) stays as it was.
    if (spec.takesTokens()) {
      ((ObjectNode) root.get("input")).put("dtype", spec.inputType().jsonName());
    }
    // Written only when present, so a spec without one keeps its canonical form and hash.
    if (spec.preprocess() != null) {
      ObjectNode p = root.putObject("preprocess");
      Preprocess.SCHEMA.write(spec.preprocess(), p);
      ArrayNode steps = p.putArray("steps");
      for (PreprocessStep step : spec.preprocess().steps()) {
        writeFields(step.kind(), step, typed(steps.addObject(), step.type()));
      }
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
      writeFields(layer.kind(), layer, n);
      // Only layers with options carry them, so other specs' canonical form is unchanged.
      LayerOptions o = spec.optionsOf(layer.name());
      if (!o.equals(LayerOptions.DEFAULT)) {
        LayerOptions.SCHEMA.write(o, n);
      }
    }
    writeFields(spec.loss().kind(), spec.loss(), typed(root.putObject("loss"), spec.loss().type()));
    writeFields(spec.optimizer().kind(), spec.optimizer(), typed(root.putObject("optimizer"), spec.optimizer().type()));
    writeTraining(spec.training(), root.putObject("training"));
    return root;
  }

  /** The plain fields, then each typed part the settings have (absent ones are not written). */
  private static void writeTraining(Training t, ObjectNode n) {
    Training.SCHEMA.write(t, n);
    if (t.schedule() != null) {
      writeFields(t.schedule().kind(), t.schedule(), typed(n.putObject(Training.LR_SCHEDULE), t.schedule().type()));
    }
    if (t.earlyStopping() != null) {
      EarlyStopping.SCHEMA.write(t.earlyStopping(), n.putObject(Training.EARLY_STOPPING));
    }
    if (!t.augmentation().isEmpty()) {
      ArrayNode a = n.putArray(Training.AUGMENTATION);
      for (Augmentation x : t.augmentation()) {
        writeFields(x.kind(), x, typed(a.addObject(), x.type()));
      }
    }
  }

  private static ObjectNode typed(ObjectNode n, String type) {
    n.put("type", type);
    return n;
  }

  private static <T> void writeFields(Kind<T> kind, Object value, ObjectNode into) {
    kind.schema().write(kind.type().cast(value), into);
  }

  /** Tree-to-IR reader that keeps going after an error so the report is complete. */
  private static final class Reader {
    final List<SpecIssue> issues = new ArrayList<>();
    final Map<String, List<String>> connections = new LinkedHashMap<>();
    final Map<String, LayerOptions> options = new LinkedHashMap<>();
    static final Set<String> TOP =
        Set.of("format", "name", "input", "preprocess", "layers", "loss", "optimizer", "training");

    ModelSpec model(JsonNode root) {
      if (!root.isObject()) {
        error("$", null, "a spec must be a JSON object, got " + Schema.describe(root));
        return null;
      }
      for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!TOP.contains(k)) {
          error("$." + k, null, "unknown field \"" + k + "\" (allowed: " + String.join(", ", new TreeSet<>(TOP)) + ")");
        }
      }
      String format = string(root, "$", "format", null);
      if (format != null && !format.equals(ModelSpec.FORMAT)) {
        error("$.format", null, "format must be \"" + ModelSpec.FORMAT + "\" (got \"" + format + "\")");
      }
      String name = root.hasNonNull("name") ? string(root, "$", "name", null) : "model";
      JsonNode inputNode = root.get("input");
      Shape input = input(inputNode);
      DType dtype = dtype(inputNode);
      List<Layer> layers = layers(root.get("layers"));
      Loss loss = typed(root.get("loss"), "$.loss", Kinds.losses(), "{\"type\": \"cross_entropy\"}");
      Optimizer opt = typed(root.get("optimizer"), "$.optimizer", Kinds.optimizers(), "{\"type\": \"sgd\", \"learning_rate\": 0.01}");
      Training training = training(root.get("training"));
      int before = issues.size();
      Preprocess preprocess = root.has("preprocess") ? preprocess(root.get("preprocess")) : null;
      if (input == null || dtype == null || layers == null || loss == null || opt == null || training == null || issues.size() > before) {
        return null;
      }
      return new ModelSpec(name, input, dtype, layers, connections, loss, opt, training, preprocess, options);
    }

    Shape input(JsonNode n) {
      if (n == null) {
        error("$.input", null, "missing required field \"input\" (e.g. {\"shape\": [784]})");
        return null;
      }
      if (!isObject(n, "$.input", null)) {
        return null;
      }
      n.fieldNames().forEachRemaining(k -> {
        if (!k.equals("shape") && !k.equals("dtype")) {
          error("$.input." + k, null, "unknown field \"" + k + "\" (allowed: dtype, shape)");
        }
      });
      JsonNode s = n.get("shape");
      if (s == null) {
        error("$.input.shape", null, "missing required field \"shape\"");
        return null;
      }
      if (!s.isArray() || s.isEmpty()) {
        error("$.input.shape", null, "shape must be a non-empty array of integers, got " + Schema.describe(s));
        return null;
      }
      int[] dims = new int[s.size()];
      boolean ok = true;
      for (int i = 0; i < s.size(); i++) {
        JsonNode d = s.get(i);
        if (!d.isIntegralNumber() || !d.canConvertToInt()) {
          error("$.input.shape[" + i + "]", null, "dimension must be an integer, got " + Schema.describe(d));
          ok = false;
        } else {
          dims[i] = d.intValue();
        }
      }
      return ok ? Shape.of(dims) : null;
    }

    /** {@code input.dtype}: float32 when absent. */
    DType dtype(JsonNode input) {
      JsonNode d = input == null || !input.isObject() ? null : input.get("dtype");
      if (d == null || d.isNull()) {
        return DType.FLOAT32;
      }
      Codec<DType> codec = Codec.oneOf(DType.class);
      DType v = codec.decode(d);
      if (v == null) {
        error("$.input.dtype", null, "dtype must be " + codec.expected() + ", got " + Schema.describe(d));
      }
      return v;
    }

    List<Layer> layers(JsonNode n) {
      if (n == null) {
        error("$.layers", null, "missing required field \"layers\"");
        return null;
      }
      if (!n.isArray()) {
        error("$.layers", null, "layers must be an array, got " + Schema.describe(n));
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
      String type = string(n, path, "type", name);
      string(n, path, "name", name);
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
      Optional<Kind<? extends Layer>> kind = Kinds.layers().named(type);
      if (kind.isEmpty()) {
        error(path + ".type", name,
            "layer '" + name + "': unknown type \"" + type + "\" (known: " + String.join(", ", Kinds.layers().names()) + ")");
        return null;
      }
      Set<String> optionKeys = new java.util.HashSet<>(LAYER_KEYS);
      LayerOptions.SCHEMA.fields().forEach(f -> optionKeys.add(f.key()));
      Layer layer = kind.get().schema().read(n, new Schema.Site(path, name, issues), name, optionKeys);
      if (issues.size() == before) {
        // Unknown keys were reported once, by the kind's read: allow them all here.
        Set<String> others = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(others::add);
        LayerOptions o = LayerOptions.SCHEMA.read(n, new Schema.Site(path, name, issues), null, others);
        if (o != null) {
          options.put(name, o);
        }
      }
      return issues.size() == before ? layer : null;
    }

    /** A loss or an optimizer: an object with a {@code type} naming one kind of its family. */
    <B> B typed(JsonNode n, String path, Kinds<B> family, String example) {
      return family.read(n, path, example, issues);
    }

    /** The {@code preprocess} object: its own fields, then {@code steps}, each a typed object. */
    Preprocess preprocess(JsonNode n) {
      String p = "$.preprocess";
      if (!isObject(n, p, null)) {
        return null;
      }
      Preprocess head = Preprocess.SCHEMA.read(n, new Schema.Site(p, null, issues), null, Set.of("steps"));
      JsonNode s = n.get("steps");
      List<PreprocessStep> steps = new ArrayList<>();
      if (s != null && !s.isNull()) {
        if (!s.isArray()) {
          error(p + ".steps", null, "steps must be an array, got " + Schema.describe(s));
          return null;
        }
        for (int i = 0; i < s.size(); i++) {
          steps.add(typed(s.get(i), p + ".steps[" + i + "]", Kinds.preprocessSteps(), "{\"type\": \"mean\"}"));
        }
      }
      return head == null || steps.contains(null) ? null : head.withSteps(steps);
    }

    Training training(JsonNode n) {
      if (n == null) {
        return Training.DEFAULT;
      }
      String p = "$.training";
      if (!isObject(n, p, null)) {
        return null;
      }
      int before = issues.size();
      Training plain = Training.SCHEMA.read(
          n, new Schema.Site(p, null, issues), null, Set.of(Training.LR_SCHEDULE, Training.EARLY_STOPPING, Training.AUGMENTATION));
      Schedule schedule = null;
      if (n.hasNonNull(Training.LR_SCHEDULE)) {
        schedule = typed(n.get(Training.LR_SCHEDULE), p + "." + Training.LR_SCHEDULE, Kinds.schedules(),
            "{\"type\": \"step\", \"step_size\": 10}");
      }
      EarlyStopping stopping = null;
      JsonNode es = n.get(Training.EARLY_STOPPING);
      if (es != null && !es.isNull() && isObject(es, p + "." + Training.EARLY_STOPPING, null)) {
        stopping = EarlyStopping.SCHEMA.read(es, new Schema.Site(p + "." + Training.EARLY_STOPPING, null, issues), null, Set.of());
      }
      List<Augmentation> augmentation = new ArrayList<>();
      JsonNode aug = n.get(Training.AUGMENTATION);
      if (aug != null && !aug.isNull()) {
        String ap = p + "." + Training.AUGMENTATION;
        if (!aug.isArray()) {
          error(ap, null, "augmentation must be an array of objects, got " + Schema.describe(aug));
        } else {
          for (int i = 0; i < aug.size(); i++) {
            augmentation.add(typed(aug.get(i), ap + "[" + i + "]", Kinds.augmentations(), "{\"type\": \"horizontal_flip\"}"));
          }
        }
      }
      if (issues.size() > before || plain == null) {
        return null;
      }
      return plain.withSchedule(schedule).withEarlyStopping(stopping).withAugmentation(augmentation);
    }

    String string(JsonNode obj, String path, String field, String layer) {
      JsonNode v = obj.get(field);
      if (v == null || v.isNull()) {
        error(path + "." + field, layer, prefix(layer) + "missing required field \"" + field + "\"");
        return null;
      }
      if (!v.isTextual()) {
        error(path + "." + field, layer, prefix(layer) + field + " must be a string, got " + Schema.describe(v));
        return null;
      }
      return v.asText();
    }

    /** An array of layer names ({@code inputs}); whether they exist is the validator's call. */
    List<String> stringArray(JsonNode obj, String path, String field, String layer) {
      JsonNode v = obj.get(field);
      String p = path + "." + field;
      if (!v.isArray() || v.isEmpty()) {
        error(p, layer, prefix(layer) + field + " must be a non-empty array of layer names (or \"" + ModelSpec.INPUT + "\"), got " + Schema.describe(v));
        return null;
      }
      List<String> out = new ArrayList<>();
      for (int i = 0; i < v.size(); i++) {
        JsonNode d = v.get(i);
        if (!d.isTextual()) {
          error(p + "[" + i + "]", layer, prefix(layer) + field + "[" + i + "] must be a layer name, got " + Schema.describe(d));
          return null;
        }
        out.add(d.asText());
      }
      return out;
    }

    boolean isObject(JsonNode n, String path, String layer) {
      if (!n.isObject()) {
        error(path, layer, "expected an object, got " + Schema.describe(n));
        return false;
      }
      return true;
    }

    void error(String path, String layer, String message) {
      issues.add(SpecIssue.error(path, layer, message));
    }

    static String prefix(String layer) {
      return layer == null ? "" : "layer '" + layer + "': ";
    }
  }
}
