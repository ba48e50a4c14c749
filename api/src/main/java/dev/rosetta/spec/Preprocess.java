package dev.rosetta.spec;

import dev.rosetta.spec.PreprocessStep.ColumnType;
import dev.rosetta.spec.PreprocessStep.Role;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code preprocess} section of a spec: how a table (a CSV file with a header) becomes the
 * model's input vector. It names the label column, the numeric and categorical feature columns,
 * the cell texts that mean "missing", and the steps (missing values, scaling, one-hot encoding)
 * whose statistics are fitted on training data and travel with the checkpoint. The model input
 * is the numeric columns in the order listed, then each categorical column's one-hot block.
 *
 * @param label the column holding the class name (cross_entropy) or the target (mse)
 * @param missing cell texts read as a missing value (compared after trimming spaces)
 * @param numeric columns read as numbers
 * @param categorical columns read as category names
 * @param steps in the order written; at most one step per role and column
 */
public record Preprocess(
    String label, List<String> missing, List<String> numeric, List<String> categorical, List<PreprocessStep> steps) {

  /** The missing-value markers when the spec names none. */
  public static final List<String> DEFAULT_MISSING = List.of("", "NA", "NaN", "?", "null");

  private static final Field<Preprocess, String> LABEL = Field.of("label", Codec.STRING, Preprocess::label);
  private static final Field<Preprocess, List<String>> MISSING =
      Field.of("missing", Codec.STRING_LIST, Preprocess::missing).orElse(DEFAULT_MISSING);
  private static final Field<Preprocess, List<String>> NUMERIC =
      Field.of("numeric", Codec.STRING_LIST, Preprocess::numeric).orElse(List.of());
  private static final Field<Preprocess, List<String>> CATEGORICAL =
      Field.of("categorical", Codec.STRING_LIST, Preprocess::categorical).orElse(List.of());

  /** The JSON form of {@code "preprocess"} except {@code steps}, which are typed objects read like layers. */
  public static final Schema<Preprocess> SCHEMA =
      Schema.of((l, m, n, c) -> new Preprocess(l, m, n, c, List.of()), LABEL, MISSING, NUMERIC, CATEGORICAL);

  public Preprocess {
    Objects.requireNonNull(label, "label");
    missing = List.copyOf(missing);
    numeric = List.copyOf(numeric);
    categorical = List.copyOf(categorical);
    steps = List.copyOf(steps);
  }

  public Preprocess withSteps(List<PreprocessStep> s) {
    return new Preprocess(label, missing, numeric, categorical, s);
  }

  /**
   * One feature column and the step filling each of its slots (absent when none does).
   *
   * @param index position among the columns of its type (the numeric block, or the categorical
   *     columns)
   */
  public record Column(String name, ColumnType type, int index, Map<Role, PreprocessStep> steps) {
    public Column {
      steps = Map.copyOf(steps);
    }

    /** The step of {@code role} for this column, or null. */
    public PreprocessStep step(Role role) {
      return steps.get(role);
    }
  }

  /** Every feature column in model-input order (numeric, then categorical) with its steps. */
  public List<Column> columns() {
    return plan(new ArrayList<>());
  }

  /**
   * Resolves which step fills each column's slots, reporting what is wrong as errors: unknown or
   * duplicate columns, a step on a column type it does not apply to, two steps for one slot, a
   * categorical column without an encoding.
   */
  List<Column> plan(List<SpecIssue> issues) {
    String p = "$.preprocess";
    Map<String, ColumnType> types = new LinkedHashMap<>();
    Map<String, Integer> indexes = new LinkedHashMap<>();
    declare(numeric, ColumnType.NUMERIC, p + ".numeric", types, indexes, issues);
    declare(categorical, ColumnType.CATEGORICAL, p + ".categorical", types, indexes, issues);
    if (types.containsKey(label)) {
      issues.add(SpecIssue.error(p + ".label", null,
          "preprocess: the label column '" + label + "' is also listed as a feature column; a model must not read its own answer"));
    }
    if (types.isEmpty()) {
      issues.add(SpecIssue.error(p, null, "preprocess needs at least one feature column in \"numeric\" or \"categorical\""));
    }
    // Per column and role: the step naming it, and where it was declared.
    Map<String, Map<Role, Integer>> explicit = new LinkedHashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      PreprocessStep s = steps.get(i);
      for (int k = 0; k < s.columns().size(); k++) {
        String c = s.columns().get(k);
        String at = p + ".steps[" + i + "].columns[" + k + "]";
        ColumnType t = types.get(c);
        if (t == null) {
          issues.add(SpecIssue.error(at, null, "preprocess step " + s.type() + ": unknown column '" + c
              + "' (declared: " + String.join(", ", types.keySet()) + ")"));
          continue;
        }
        if (!s.accepts(t)) {
          issues.add(SpecIssue.error(at, null, "preprocess step " + s.type() + " does not apply to " + t.label()
              + " column '" + c + "'" + hint(s)));
          continue;
        }
        Integer before = explicit.computeIfAbsent(c, x -> new EnumMap<>(Role.class)).putIfAbsent(s.role(), i);
        if (before != null) {
          issues.add(SpecIssue.error(at, null, "preprocess: column '" + c + "' already has a " + s.role().label()
              + " step (" + steps.get(before).type() + " at " + p + ".steps[" + before + "]); give each column one"));
        }
      }
    }
    List<Column> out = new ArrayList<>();
    for (Map.Entry<String, ColumnType> e : types.entrySet()) {
      String c = e.getKey();
      Map<Role, PreprocessStep> filled = new EnumMap<>(Role.class);
      for (Role role : Role.values()) {
        Integer named = explicit.getOrDefault(c, Map.of()).get(role);
        if (named != null) {
          filled.put(role, steps.get(named));
          continue;
        }
        List<Integer> defaults = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
          PreprocessStep s = steps.get(i);
          if (s.role() == role && s.columns().isEmpty() && s.accepts(e.getValue())) {
            defaults.add(i);
          }
        }
        if (defaults.size() > 1) {
          issues.add(SpecIssue.error(p + ".steps[" + defaults.get(1) + "]", null, "preprocess: steps " + defaults
              + " both set the " + role.label() + " step of every " + e.getValue().label()
              + " column (here '" + c + "'); name the columns of one of them"));
        }
        if (!defaults.isEmpty()) {
          filled.put(role, steps.get(defaults.get(0)));
        }
      }
      if (e.getValue() == ColumnType.CATEGORICAL && !filled.containsKey(Role.ENCODE)) {
        issues.add(SpecIssue.error(p + ".categorical[" + indexes.get(c) + "]", null, "preprocess: categorical column '" + c
            + "' has no encoding; add {\"type\": \"one_hot\"} (the model reads numbers)"));
      }
      out.add(new Column(c, e.getValue(), indexes.get(c), filled));
    }
    return out;
  }

  private static String hint(PreprocessStep s) {
    if (s instanceof PreprocessStep.Constant k) {
      return k.value().isNumber()
          ? " (its value " + k.value() + " is a number; a categorical column needs a string)"
          : " (its value " + k.value() + " is a string; a numeric column needs a number)";
    }
    return s.accepts(ColumnType.NUMERIC) ? " (it applies to numeric columns)" : " (it applies to categorical columns)";
  }

  private void declare(
      List<String> names, ColumnType type, String path, Map<String, ColumnType> types, Map<String, Integer> indexes,
      List<SpecIssue> issues) {
    for (int i = 0; i < names.size(); i++) {
      String c = names.get(i);
      if (c.isBlank()) {
        issues.add(SpecIssue.error(path + "[" + i + "]", null, "preprocess: a column name must not be empty"));
      } else if (types.containsKey(c)) {
        issues.add(SpecIssue.error(path + "[" + i + "]", null, "preprocess: column '" + c + "' is declared twice"));
      } else {
        types.put(c, type);
        indexes.put(c, i);
      }
    }
  }
}
