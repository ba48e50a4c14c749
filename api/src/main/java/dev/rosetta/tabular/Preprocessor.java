package dev.rosetta.tabular;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.data.DataException;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.Preprocess;
import dev.rosetta.spec.PreprocessStep;
import dev.rosetta.spec.PreprocessStep.ColumnType;
import dev.rosetta.spec.PreprocessStep.Role;
import dev.rosetta.spec.PreprocessStep.Unseen;
import dev.rosetta.spec.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A spec's {@code preprocess} section fitted on training rows: the fill value, centre and scale
 * of every numeric column, the fill and vocabulary of every categorical column, and the class
 * names. It turns {@link RawRows} into the model's input vectors, and travels with the
 * checkpoint ({@link #toJson}), so evaluation, prediction, either backend, a fine-tuning run and
 * the ONNX export apply exactly this transform.
 *
 * <p>Every statistic is computed in double over the float32 cell values, in file order, and
 * stored as float32; the transform is float32 arithmetic, {@code (x - center) / scale}, exactly
 * what the exported graph's {@code Sub} and {@code Div} compute, so both give the same bits.
 */
public final class Preprocessor {
  /** The format tag of {@link #toJson}. */
  public static final String FORMAT = "rosetta-preprocess/v1";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final Preprocess spec;
  private final List<String> classes;
  private final List<NumericColumn> numeric;
  private final List<CategoricalColumn> categorical;
  private final int fittedRows;

  /**
   * A numeric column's statistics. {@code fill} is NaN when no step fills a missing cell (the
   * row is dropped, or refused); {@code center} 0 and {@code scale} 1 when it is not scaled.
   *
   * @param impute the missing-value step's kind name, or null
   * @param scaling the scaling step's kind name, or null
   */
  public record NumericColumn(String name, String impute, float fill, String scaling, float center, float scale) {
    /** Whether a missing cell removes the row. */
    public boolean drops() {
      return "drop".equals(impute);
    }
  }

  /**
   * A categorical column's statistics.
   *
   * @param fill the category a missing cell becomes, or null (dropped or refused)
   * @param categories the one-hot vocabulary, sorted; category {@code i} sets feature {@code i}
   */
  public record CategoricalColumn(String name, String impute, String fill, List<String> categories, Unseen unseen) {
    public CategoricalColumn {
      categories = List.copyOf(categories);
    }

    public boolean drops() {
      return "drop".equals(impute);
    }
  }

  private Preprocessor(
      Preprocess spec, List<String> classes, List<NumericColumn> numeric, List<CategoricalColumn> categorical,
      int fittedRows) {
    this.spec = spec;
    this.classes = classes == null ? null : List.copyOf(classes);
    this.numeric = List.copyOf(numeric);
    this.categorical = List.copyOf(categorical);
    this.fittedRows = fittedRows;
  }

  public Preprocess spec() {
    return spec;
  }

  /** The class names, index = class label (cross_entropy); null for a regression target (mse). */
  public List<String> classes() {
    return classes;
  }

  public List<NumericColumn> numeric() {
    return numeric;
  }

  public List<CategoricalColumn> categorical() {
    return categorical;
  }

  /** Training rows the statistics came from (after dropping). */
  public int fittedRows() {
    return fittedRows;
  }

  /** Features per row after preprocessing: the model input width. */
  public int width() {
    return numeric.size() + categorical.stream().mapToInt(c -> c.categories().size()).sum();
  }

  /** {@code 4 numeric + island one-hot 3 [Biscoe, Dream, Torgersen] + ...}: how the width is made up. */
  public String layout() {
    List<String> parts = new ArrayList<>();
    if (!numeric.isEmpty()) {
      parts.add(numeric.size() + " numeric");
    }
    for (CategoricalColumn c : categorical) {
      parts.add(c.name() + " one-hot " + c.categories().size() + " " + c.categories());
    }
    return String.join(" + ", parts);
  }

  /**
   * The class names of a table's labels, sorted: numerically when every name is a number, else
   * as strings. They are fitted on the whole training file, not on a fold or split (labels are
   * not features: knowing the list of classes tells a model nothing about a held-out row).
   */
  public static List<String> classesOf(RawRows rows) {
    if (rows.labels() == null) {
      throw new DataException(rows.source() + ": no label column '" + rows.labelName() + "'");
    }
    List<String> names = Arrays.stream(rows.labels()).distinct().collect(Collectors.toCollection(ArrayList::new));
    boolean numbers = names.stream().allMatch(Preprocessor::isNumber);
    if (numbers) {
      names.sort((a, b) -> Double.compare(Double.parseDouble(a), Double.parseDouble(b)));
    } else {
      names.sort(String::compareTo);
    }
    return names;
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Fits every step on {@code train}: rows with a missing cell in a {@code drop} column are left
   * out first, then each numeric column's fill comes from its present values, its scaling from
   * the filled values; each categorical column's fill likewise, and its vocabulary from the
   * filled values.
   *
   * @param classes the class names for cross_entropy ({@link #classesOf} of the training file);
   *     ignored for mse, whose label is a number
   * @throws DataException for a column with nothing to compute from (every cell missing), or
   *     a constant column under standardize or min_max, naming file, rows and column
   */
  public static Preprocessor fit(CheckedSpec model, RawRows train, List<String> classes) {
    Preprocess p = Objects.requireNonNull(model.spec().preprocess(), "the spec has no preprocess section");
    List<Preprocess.Column> plan = p.columns();
    RawRows rows = train.select(kept(train, plan));
    if (rows.size() == 0) {
      throw new DataException(train.source() + ": no training rows left after dropping the " + train.size()
          + " rows with missing values in drop columns");
    }
    List<NumericColumn> num = new ArrayList<>();
    List<CategoricalColumn> cat = new ArrayList<>();
    for (Preprocess.Column c : plan) {
      if (c.type() == ColumnType.NUMERIC) {
        num.add(fitNumeric(c, rows));
      } else {
        cat.add(fitCategorical(c, rows));
      }
    }
    if (model.loss().classifies() && classes.size() != model.outputSize()) {
      throw new DataException(train.source() + ": the label column '" + p.label() + "' has " + classes.size()
          + " classes (" + String.join(", ", classes) + ") but the model outputs " + model.outputSize()
          + " values per row; make the last layer's units " + classes.size());
    }
    return new Preprocessor(p, model.loss().classifies() ? classes : null, num, cat, rows.size());
  }

  /** The rows that no {@code drop} column of {@code p} removes. */
  public static RawRows withoutDropped(RawRows rows, Preprocess p) {
    return rows.select(kept(rows, p.columns()));
  }

  /** Indexes of the rows that no {@code drop} column removes. */
  private static int[] kept(RawRows rows, List<Preprocess.Column> plan) {
    List<Integer> out = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      boolean keep = true;
      for (Preprocess.Column c : plan) {
        if (c.step(Role.IMPUTE) instanceof PreprocessStep.Drop && isMissing(rows, r, c)) {
          keep = false;
          break;
        }
      }
      if (keep) {
        out.add(r);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  private static boolean isMissing(RawRows rows, int r, Preprocess.Column c) {
    return c.type() == ColumnType.NUMERIC ? Float.isNaN(rows.numeric(r, c.index())) : rows.categorical(r, c.index()) == null;
  }

  private static NumericColumn fitNumeric(Preprocess.Column c, RawRows rows) {
    int n = rows.size();
    double[] present = new double[n];
    int k = 0;
    for (int r = 0; r < n; r++) {
      float v = rows.numeric(r, c.index());
      if (!Float.isNaN(v)) {
        present[k++] = v;
      }
    }
    double[] values = Arrays.copyOf(present, k);
    PreprocessStep impute = c.step(Role.IMPUTE);
    float fill = Float.NaN;
    if (impute != null) {
      fill = impute.accept(new NumericFill(values, rows, c.name()));
    } else if (k < n) {
      throw missingWithoutStep(rows, firstMissing(rows, c), c.name());
    }
    PreprocessStep scale = c.step(Role.SCALE);
    float center = 0;
    float by = 1;
    if (scale != null) {
      double[] filled = new double[n];
      for (int r = 0; r < n; r++) {
        float v = rows.numeric(r, c.index());
        filled[r] = Float.isNaN(v) ? fill : v;
      }
      float[] cs = scale.accept(new Scaling(filled, rows, c.name()));
      center = cs[0];
      by = cs[1];
    }
    return new NumericColumn(c.name(), impute == null ? null : impute.type(), fill, scale == null ? null : scale.type(), center, by);
  }

  private static CategoricalColumn fitCategorical(Preprocess.Column c, RawRows rows) {
    List<String> present = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      String v = rows.categorical(r, c.index());
      if (v != null) {
        present.add(v);
      }
    }
    PreprocessStep impute = c.step(Role.IMPUTE);
    String fill = null;
    if (impute != null) {
      fill = impute.accept(new CategoricalFill(present, rows, c.name()));
    } else if (present.size() < rows.size()) {
      throw missingWithoutStep(rows, firstMissing(rows, c), c.name());
    }
    List<String> filled = new ArrayList<>(present);
    if (fill != null && present.size() < rows.size()) {
      filled.add(fill);
    }
    PreprocessStep.OneHot encode = (PreprocessStep.OneHot) c.step(Role.ENCODE);
    List<String> vocabulary = filled.stream().distinct().sorted().toList();
    return new CategoricalColumn(c.name(), impute == null ? null : impute.type(), fill, vocabulary, encode.unseen());
  }

  private static int firstMissing(RawRows rows, Preprocess.Column c) {
    for (int r = 0; r < rows.size(); r++) {
      if (isMissing(rows, r, c)) {
        return r;
      }
    }
    return -1;
  }

  private static DataException missingWithoutStep(RawRows rows, int r, String column) {
    return new DataException(rows.where(r) + ", column '" + column + "': the value is missing and the spec's preprocess"
        + " section gives '" + column + "' no missing-value step (add drop, mean, median, max, min, most_frequent or constant)");
  }

  /** {@code rows 2..345} of a file: which rows a fitted statistic looked at. */
  private static String span(RawRows rows) {
    return rows.size() == 1 ? "row " + rows.lines()[0]
        : "the " + rows.size() + " training rows (lines " + rows.lines()[0] + ".." + rows.lines()[rows.size() - 1] + ")";
  }

  /** The fill value of a numeric column, per missing-value kind. */
  private static final class NumericFill implements PreprocessStep.Visitor<Float> {
    private final double[] values;
    private final RawRows rows;
    private final String column;

    NumericFill(double[] values, RawRows rows, String column) {
      this.values = values;
      this.rows = rows;
      this.column = column;
    }

    private double[] required(String kind) {
      if (values.length == 0) {
        throw new DataException(rows.source() + ", column '" + column + "': every cell is missing in " + span(rows)
            + ", so " + kind + " has no value to fill with; fill with a constant, or drop the column from the spec");
      }
      return values;
    }

    @Override
    public Float drop(PreprocessStep.Drop s) {
      return Float.NaN;
    }

    @Override
    public Float mean(PreprocessStep.Mean s) {
      double sum = 0;
      for (double v : required("mean")) {
        sum += v;
      }
      return (float) (sum / values.length);
    }

    @Override
    public Float median(PreprocessStep.Median s) {
      double[] sorted = required("median").clone();
      Arrays.sort(sorted);
      int m = sorted.length / 2;
      return (float) (sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2);
    }

    @Override
    public Float max(PreprocessStep.Max s) {
      return (float) Arrays.stream(required("max")).max().orElseThrow();
    }

    @Override
    public Float min(PreprocessStep.Min s) {
      return (float) Arrays.stream(required("min")).min().orElseThrow();
    }

    @Override
    public Float mostFrequent(PreprocessStep.MostFrequent s) {
      Map<Double, Integer> counts = new TreeMap<>();
      for (double v : required("most_frequent")) {
        counts.merge(v, 1, Integer::sum);
      }
      // TreeMap order: on a tie the smallest value wins.
      double best = Double.NaN;
      int most = 0;
      for (Map.Entry<Double, Integer> e : counts.entrySet()) {
        if (e.getValue() > most) {
          best = e.getKey();
          most = e.getValue();
        }
      }
      return (float) best;
    }

    @Override
    public Float constant(PreprocessStep.Constant s) {
      return (float) (double) s.value().number();
    }

    @Override
    public Float standardize(PreprocessStep.Standardize s) {
      throw notAFill(s);
    }

    @Override
    public Float minMax(PreprocessStep.MinMax s) {
      throw notAFill(s);
    }

    @Override
    public Float oneHot(PreprocessStep.OneHot s) {
      throw notAFill(s);
    }
  }

  private static IllegalStateException notAFill(PreprocessStep s) {
    return new IllegalStateException(s.type() + " is not a missing-value step (validation assigns roles)");
  }

  private static IllegalStateException notAScaling(PreprocessStep s) {
    return new IllegalStateException(s.type() + " is not a numeric scaling (validation assigns roles)");
  }

  /** The fill value of a categorical column, per missing-value kind. */
  private static final class CategoricalFill implements PreprocessStep.Visitor<String> {
    private final List<String> values;
    private final RawRows rows;
    private final String column;

    CategoricalFill(List<String> values, RawRows rows, String column) {
      this.values = values;
      this.rows = rows;
      this.column = column;
    }

    @Override
    public String drop(PreprocessStep.Drop s) {
      return null;
    }

    @Override
    public String mostFrequent(PreprocessStep.MostFrequent s) {
      if (values.isEmpty()) {
        throw new DataException(rows.source() + ", column '" + column + "': every cell is missing in " + span(rows)
            + ", so most_frequent has no category to fill with; fill with a constant, or drop the column from the spec");
      }
      Map<String, Integer> counts = new TreeMap<>();
      values.forEach(v -> counts.merge(v, 1, Integer::sum));
      String best = null;
      int most = 0;
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        if (e.getValue() > most) {
          best = e.getKey();
          most = e.getValue();
        }
      }
      return best;
    }

    @Override
    public String constant(PreprocessStep.Constant s) {
      return s.value().text();
    }

    @Override
    public String mean(PreprocessStep.Mean s) {
      throw notAFill(s);
    }

    @Override
    public String median(PreprocessStep.Median s) {
      throw notAFill(s);
    }

    @Override
    public String max(PreprocessStep.Max s) {
      throw notAFill(s);
    }

    @Override
    public String min(PreprocessStep.Min s) {
      throw notAFill(s);
    }

    @Override
    public String standardize(PreprocessStep.Standardize s) {
      throw notAFill(s);
    }

    @Override
    public String minMax(PreprocessStep.MinMax s) {
      throw notAFill(s);
    }

    @Override
    public String oneHot(PreprocessStep.OneHot s) {
      throw notAFill(s);
    }
  }

  /** {@code {center, scale}} of a numeric column's filled training values, per scaling kind. */
  private static final class Scaling implements PreprocessStep.Visitor<float[]> {
    private final double[] values;
    private final RawRows rows;
    private final String column;

    Scaling(double[] values, RawRows rows, String column) {
      this.values = values;
      this.rows = rows;
      this.column = column;
    }

    private DataException constant(String kind, double value) {
      return new DataException(rows.source() + ", column '" + column + "': every value is " + Float.toString((float) value)
          + " in " + span(rows) + ", so " + kind + " would divide by zero; a constant column carries no information:"
          + " remove it from the spec's preprocess section (Rosetta refuses rather than scale by 1)");
    }

    @Override
    public float[] standardize(PreprocessStep.Standardize s) {
      double sum = 0;
      for (double v : values) {
        sum += v;
      }
      double mean = sum / values.length;
      double sq = 0;
      for (double v : values) {
        sq += (v - mean) * (v - mean);
      }
      float std = (float) Math.sqrt(sq / values.length);
      if (std == 0) {
        throw constant("standardize", values[0]);
      }
      return new float[] {(float) mean, std};
    }

    @Override
    public float[] minMax(PreprocessStep.MinMax s) {
      double lo = Arrays.stream(values).min().orElseThrow();
      double hi = Arrays.stream(values).max().orElseThrow();
      float range = (float) (hi - lo);
      if (range == 0) {
        throw constant("min_max", lo);
      }
      return new float[] {(float) lo, range};
    }

    @Override
    public float[] drop(PreprocessStep.Drop s) {
      throw notAScaling(s);
    }

    @Override
    public float[] mean(PreprocessStep.Mean s) {
      throw notAScaling(s);
    }

    @Override
    public float[] median(PreprocessStep.Median s) {
      throw notAScaling(s);
    }

    @Override
    public float[] max(PreprocessStep.Max s) {
      throw notAScaling(s);
    }

    @Override
    public float[] min(PreprocessStep.Min s) {
      throw notAScaling(s);
    }

    @Override
    public float[] mostFrequent(PreprocessStep.MostFrequent s) {
      throw notAScaling(s);
    }

    @Override
    public float[] constant(PreprocessStep.Constant s) {
      throw notAScaling(s);
    }

    @Override
    public float[] oneHot(PreprocessStep.OneHot s) {
      throw notAScaling(s);
    }
  }

  /**
   * Checks that the fitted width is the spec's input width.
   *
   * @throws DataException saying how the width is made up and what to write in the spec
   */
  public void requireWidth(CheckedSpec model, String fittedOn) {
    Shape in = model.input();
    if (in.rank() != 1 || in.dim(0) != width()) {
      throw new DataException(fittedOn + ": preprocessing gives " + width() + " features per row (" + layout()
          + "), but the spec's input.shape is " + in + "; set \"input\": {\"shape\": [" + width() + "]}");
    }
  }

  /**
   * Rows transformed to model inputs.
   *
   * @param data the model's input vectors, with class labels (cross_entropy) or targets (mse)
   *     when the rows had labels
   * @param rows the rows kept, raw, in the same order (what an ONNX file of this model reads)
   * @param dropped how many rows a {@code drop} step left out
   */
  public record Prepared(Dataset data, RawRows rows, int dropped) {}

  /**
   * Applies the fitted statistics to {@code rows}: drops what a drop column says, fills missing
   * cells, scales, one-hot encodes, and maps labels to class indexes.
   *
   * @throws DataException naming file, line and column: a missing cell no step fills, a
   *     category unseen in training under {@code unseen: error}, a class the model does not know,
   *     a non-numeric regression target
   */
  public Prepared transform(RawRows rows) {
    List<Preprocess.Column> plan = spec.columns();
    RawRows kept = rows.select(kept(rows, plan));
    int n = kept.size();
    int w = width();
    float[] x = new float[n * w];
    for (int r = 0; r < n; r++) {
      encode(kept, r, x, r * w);
    }
    Dataset data;
    if (kept.labels() == null) {
      data = Dataset.classification(Shape.of(w), x, new int[n], kept.source());
    } else if (classes != null) {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < classes.size(); i++) {
        index.put(classes.get(i), i);
      }
      int[] y = new int[n];
      for (int r = 0; r < n; r++) {
        Integer k = index.get(kept.labels()[r]);
        if (k == null) {
          throw new DataException(kept.where(r) + ", column '" + spec.label() + "': class '" + kept.labels()[r]
              + "' is not one of the model's classes (" + String.join(", ", classes) + ")");
        }
        y[r] = k;
      }
      data = Dataset.classification(Shape.of(w), x, y, kept.source());
    } else {
      float[] t = new float[n];
      for (int r = 0; r < n; r++) {
        String v = kept.labels()[r];
        double d = isNumber(v) ? Double.parseDouble(v) : Double.NaN;
        if (!Double.isFinite(d)) {
          throw new DataException(kept.where(r) + ", column '" + spec.label() + "': the mse target '" + v
              + "' is not a finite number");
        }
        t[r] = (float) d;
      }
      data = new Dataset(Shape.of(w), x, null, t, 1, kept.source());
    }
    return new Prepared(data, kept, rows.size() - n);
  }

  /** One row's model input, written at {@code out[at..at + width)}. */
  private void encode(RawRows rows, int r, float[] out, int at) {
    int k = at;
    for (int c = 0; c < numeric.size(); c++) {
      NumericColumn col = numeric.get(c);
      float v = rows.numeric(r, c);
      if (Float.isNaN(v)) {
        if (Float.isNaN(col.fill())) {
          throw missingWithoutStep(rows, r, col.name());
        }
        v = col.fill();
      }
      if (col.scaling() != null) {
        v = (v - col.center()) / col.scale();
      }
      out[k++] = v;
    }
    for (int c = 0; c < categorical.size(); c++) {
      CategoricalColumn col = categorical.get(c);
      String v = rows.categorical(r, c);
      if (v == null) {
        if (col.fill() == null) {
          throw missingWithoutStep(rows, r, col.name());
        }
        v = col.fill();
      }
      int i = col.categories().indexOf(v);
      if (i >= 0) {
        out[k + i] = 1f;
      } else if (col.unseen() == Unseen.ERROR) {
        throw new DataException(rows.where(r) + ", column '" + col.name() + "': category '" + v
            + "' was not in the training data (known: " + String.join(", ", col.categories())
            + "), and the spec's one_hot step says unseen: \"error\"");
      }
      k += col.categories().size();
    }
  }

  // ---- the checkpoint form ----

  /** Canonical JSON of the fitted statistics (float32 values written exactly, sorted nothing). */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("label", spec.label());
    if (classes != null) {
      ArrayNode a = o.putArray("classes");
      classes.forEach(a::add);
    } else {
      o.putNull("classes");
    }
    o.put("fitted_rows", fittedRows);
    o.put("width", width());
    ArrayNode num = o.putArray("numeric");
    for (NumericColumn c : numeric) {
      ObjectNode n = num.addObject();
      n.put("column", c.name());
      n.put("impute", c.impute());
      putFloat(n, "fill", c.fill());
      n.put("scaling", c.scaling());
      n.put("center", c.center());
      n.put("scale", c.scale());
    }
    ArrayNode cat = o.putArray("categorical");
    for (CategoricalColumn c : categorical) {
      ObjectNode n = cat.addObject();
      n.put("column", c.name());
      n.put("impute", c.impute());
      n.put("fill", c.fill());
      ArrayNode v = n.putArray("categories");
      c.categories().forEach(v::add);
      n.put("unseen", c.unseen().jsonName());
    }
    try {
      return JSON.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putFloat(ObjectNode n, String key, float v) {
    if (Float.isNaN(v)) {
      n.putNull(key);
    } else {
      n.put(key, v);
    }
  }

  /**
   * Reads statistics written by {@link #toJson} for the spec's preprocess section, checking that
   * they describe the same columns in the same order.
   *
   * @param source names the checkpoint in messages
   * @throws DataException for statistics of other columns, or an unreadable text
   */
  public static Preprocessor fromJson(String json, CheckedSpec model, String source) {
    Preprocess p = Objects.requireNonNull(model.spec().preprocess(), "the spec has no preprocess section");
    JsonNode o;
    try {
      o = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new DataException(source + ": the preprocessing statistics are not valid JSON: " + e.getOriginalMessage());
    }
    if (!FORMAT.equals(o.path("format").asText())) {
      throw new DataException(source + ": preprocessing statistics of format '" + o.path("format").asText() + "', expected " + FORMAT);
    }
    List<NumericColumn> num = new ArrayList<>();
    for (JsonNode n : o.get("numeric")) {
      num.add(new NumericColumn(n.get("column").asText(), text(n.get("impute")), readFloat(n.get("fill")),
          text(n.get("scaling")), readFloat(n.get("center")), readFloat(n.get("scale"))));
    }
    List<CategoricalColumn> cat = new ArrayList<>();
    for (JsonNode n : o.get("categorical")) {
      List<String> vocabulary = new ArrayList<>();
      n.get("categories").forEach(v -> vocabulary.add(v.asText()));
      Unseen unseen = "error".equals(n.get("unseen").asText()) ? Unseen.ERROR : Unseen.ZEROS;
      cat.add(new CategoricalColumn(n.get("column").asText(), text(n.get("impute")), text(n.get("fill")), vocabulary, unseen));
    }
    List<String> classes = null;
    if (o.get("classes") != null && o.get("classes").isArray()) {
      classes = new ArrayList<>();
      for (JsonNode c : o.get("classes")) {
        classes.add(c.asText());
      }
    }
    List<String> fittedNum = num.stream().map(NumericColumn::name).toList();
    List<String> fittedCat = cat.stream().map(CategoricalColumn::name).toList();
    if (!fittedNum.equals(p.numeric()) || !fittedCat.equals(p.categorical())) {
      throw new DataException(source + ": its preprocessing was fitted for numeric " + fittedNum + " and categorical "
          + fittedCat + ", but the spec declares numeric " + p.numeric() + " and categorical " + p.categorical());
    }
    return new Preprocessor(p, classes, num, cat, o.path("fitted_rows").asInt());
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  /** Decimal to float32 in one correctly rounded step (no detour through double). */
  private static float readFloat(JsonNode n) {
    return n == null || n.isNull() ? Float.NaN : Float.parseFloat(n.decimalValue().toString());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Preprocessor p && toJson().equals(p.toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "Preprocessor[%d features: %s]", width(), layout());
  }
}
