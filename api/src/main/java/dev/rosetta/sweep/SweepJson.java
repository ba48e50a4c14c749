package dev.rosetta.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.spec.Kind;
import dev.rosetta.spec.Kinds;
import dev.rosetta.spec.Schema;
import dev.rosetta.spec.SpecException;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.spec.SpecJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@code SWEEP.json}: every field from its declared schema, every problem reported at its
 * JSON path at once ({@link SpecException}, so the command line exits 2), then the checks that
 * span fields (a grid needs listed values, one {@code spec_files} at most, a base spec from
 * somewhere). What needs the specs themselves (paths that exist, trial specs that validate, a
 * metric the loss computes) is checked by {@link SweepPlan}.
 */
public final class SweepJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String EVALUATION = "evaluation";
  private static final String SEARCH = "search";
  private static final String PARAMETERS = "parameters";
  private static final String DATA = "data";

  private SweepJson() {}

  public static Sweep read(Path file) {
    return parse(SpecJson.readText(file), file.toString(), file.toAbsolutePath().getParent());
  }

  /**
   * @param dir where the sweep's relative paths start
   * @throws SpecException listing every error with its JSON path
   */
  public static Sweep parse(String json, String source, Path dir) {
    List<SpecIssue> issues = new ArrayList<>();
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
      throw new SpecException(source, List.of(SpecIssue.error("$", null, "not valid JSON" + where + ": " + e.getOriginalMessage())));
    }
    if (root == null || !root.isObject()) {
      throw new SpecException(source, List.of(SpecIssue.error("$", null, "a sweep must be a JSON object")));
    }
    Sweep.Settings settings = checked(Sweep.Settings.SCHEMA, Sweep.Settings.SCHEMA.read(
        root, new Schema.Site("$", null, issues), null, Set.of(DATA, EVALUATION, SEARCH, PARAMETERS)), "$", issues);
    Sweep.Data data = Sweep.Data.EMBEDDED;
    JsonNode d = root.get(DATA);
    if (d != null && !d.isNull()) {
      if (!d.isObject()) {
        issues.add(SpecIssue.error("$." + DATA, null, "data must be an object such as {\"path\": \"train.csv\"}, got " + d.getNodeType()));
      } else {
        data = checked(Sweep.Data.SCHEMA, Sweep.Data.SCHEMA.read(d, new Schema.Site("$." + DATA, null, issues), null, Set.of()),
            "$." + DATA, issues);
      }
    }
    TrialEvaluation evaluation = typed(root.get(EVALUATION), "$." + EVALUATION, TrialEvaluation.class,
        "{\"type\": \"k_fold\", \"folds\": 5}", issues);
    Search search = root.hasNonNull(SEARCH)
        ? typed(root.get(SEARCH), "$." + SEARCH, Search.class, "{\"type\": \"grid\"}", issues)
        : new Search.Grid();
    List<Parameter> parameters = parameters(root.get(PARAMETERS), issues);
    if (settings != null && search != null && parameters != null) {
      crossChecks(settings, search, parameters, issues);
    }
    if (!issues.isEmpty() || settings == null || data == null || evaluation == null || search == null || parameters == null) {
      throw new SpecException(source, issues);
    }
    return new Sweep(source, dir, settings, data, evaluation, search, parameters);
  }

  private static List<Parameter> parameters(JsonNode n, List<SpecIssue> issues) {
    String p = "$." + PARAMETERS;
    if (n == null || n.isNull()) {
      issues.add(SpecIssue.error(p, null, "missing required field \"parameters\" (e.g. [{\"type\": \"choice\", \"path\":"
          + " \"$.layers[0].units\", \"values\": [64, 128]}])"));
      return null;
    }
    if (!n.isArray() || n.isEmpty()) {
      issues.add(SpecIssue.error(p, null, "parameters must be a non-empty array of objects"));
      return null;
    }
    List<Parameter> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      out.add(typed(n.get(i), p + "[" + i + "]", Parameter.class, "{\"type\": \"choice\", \"path\": \"$.layers[0].units\","
          + " \"values\": [64, 128]}", issues));
    }
    return out.contains(null) ? null : out;
  }

  /** Reads an object of a kind family and runs its fields' rules. */
  private static <B> B typed(JsonNode n, String path, Class<B> family, String example, List<SpecIssue> issues) {
    Kinds<B> kinds = Kinds.of(family);
    B b = kinds.read(n, path, example, issues);
    if (b != null) {
      Kind<?> kind = kinds.all().stream().filter(k -> k.type() == b.getClass()).findFirst().orElseThrow();
      rules(kind, b, path, issues);
    }
    return b;
  }

  private static <T> void rules(Kind<T> kind, Object record, String path, List<SpecIssue> issues) {
    kind.schema().check(kind.type().cast(record), new Schema.Site(path, null, issues), "");
  }

  /** The rules of a plain object's fields; the record, or null when one fails. */
  private static <T> T checked(Schema<T> schema, T record, String path, List<SpecIssue> issues) {
    if (record == null) {
      return null;
    }
    int before = issues.size();
    schema.check(record, new Schema.Site(path, null, issues), "");
    return issues.size() == before ? record : null;
  }

  private static void crossChecks(Sweep.Settings s, Search search, List<Parameter> parameters, List<SpecIssue> issues) {
    int specFiles = 0;
    for (int i = 0; i < parameters.size(); i++) {
      String p = "$." + PARAMETERS + "[" + i + "]";
      Parameter x = parameters.get(i);
      if (x.choosesSpec() && ++specFiles > 1) {
        issues.add(SpecIssue.error(p, null, "only one spec_files parameter: it chooses each trial's base spec"));
      }
      x.check(search, (field, message) -> issues.add(SpecIssue.error(field == null ? p : p + "." + field, null, message)));
    }
    if (s.spec().isEmpty() && specFiles == 0) {
      issues.add(SpecIssue.error("$.spec", null, "missing required field \"spec\" (the base spec file), or a spec_files parameter"));
    }
  }
}
