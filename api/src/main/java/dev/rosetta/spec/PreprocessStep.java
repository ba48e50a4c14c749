package dev.rosetta.spec;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One step of a spec's {@code preprocess} section: a missing-value policy, a scaling or an
 * encoding of some columns. Every step kind is a record under this sealed interface and declares
 * beside itself its JSON name and fields ({@code KIND}), its role (which of a column's slots it
 * fills) and the column types it applies to. Fitting statistics, applying them and the ONNX
 * lowering dispatch through {@link Visitor}, so a new kind does not compile until each handles
 * it. What each kind computes is written in docs/spec.md ("Preprocessing").
 */
public sealed interface PreprocessStep
    permits PreprocessStep.Drop, PreprocessStep.Mean, PreprocessStep.Median, PreprocessStep.Max,
        PreprocessStep.Min, PreprocessStep.MostFrequent, PreprocessStep.Constant,
        PreprocessStep.Standardize, PreprocessStep.MinMax, PreprocessStep.OneHot {

  /** This record's kind: its JSON name and fields (the record's {@code KIND}). */
  Kind<? extends PreprocessStep> kind();

  default String type() {
    return kind().name();
  }

  /**
   * The columns the step names. Empty: every declared column it applies to ({@link #accepts})
   * that no step of the same role names explicitly, so one step can set a default and others
   * override it per column.
   */
  List<String> columns();

  /** Which slot of a column the step fills; a column has at most one step per role. */
  Role role();

  /** Whether the step can apply to a column of this type. */
  boolean accepts(ColumnType type);

  <R> R accept(Visitor<R> visitor);

  /** The slot of a column a step fills. */
  enum Role {
    /** What to do with a missing cell: drop the row or fill it. */
    IMPUTE("missing-value"),
    /** A numeric column's affine rescaling. */
    SCALE("scaling"),
    /** How a categorical column becomes numbers. */
    ENCODE("encoding");

    private final String label;

    Role(String label) {
      this.label = label;
    }

    /** {@code missing-value}, as messages name the role. */
    public String label() {
      return label;
    }
  }

  /** How a column's cells are read: numbers, or category names. */
  enum ColumnType {
    NUMERIC,
    CATEGORICAL;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What {@code one_hot} does with a category the training data did not have. */
  enum Unseen implements Codec.Named {
    /** An all-zero block: the row still gets a prediction. */
    ZEROS,
    /** Refuse the row, naming file, row, column and the category. */
    ERROR;
  }

  /** The value of a {@code constant} fill: a number for numeric columns, a string for categorical ones. */
  record Scalar(Double number, String text) {
    public Scalar {
      if ((number == null) == (text == null)) {
        throw new IllegalArgumentException("a scalar is a number or a string");
      }
    }

    public static Scalar of(double number) {
      return new Scalar(number, null);
    }

    public static Scalar of(String text) {
      return new Scalar(null, text);
    }

    public boolean isNumber() {
      return number != null;
    }

    @Override
    public String toString() {
      return isNumber() ? number.toString() : "\"" + text + "\"";
    }
  }

  /** One method per step kind. */
  interface Visitor<R> {
    R drop(Drop step);

    R mean(Mean step);

    R median(Median step);

    R max(Max step);

    R min(Min step);

    R mostFrequent(MostFrequent step);

    R constant(Constant step);

    R standardize(Standardize step);

    R minMax(MinMax step);

    R oneHot(OneHot step);
  }

  private static <T> Field<T, List<String>> columnsField(Function<T, List<String>> getter) {
    return Field.of("columns", Codec.STRING_LIST, getter).orElse(List.of());
  }

  // ---- missing values ----

  /** Rows with a missing cell in these columns are left out of every data set the model reads. */
  record Drop(List<String> columns) implements PreprocessStep {
    public static final Kind<Drop> KIND =
        Kind.of("drop", Drop.class, Schema.of(Drop::new, columnsField(Drop::columns)));

    public Drop {
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<Drop> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.IMPUTE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return true;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.drop(this);
    }
  }

  /** Fill with the mean of the column's training values. */
  record Mean(List<String> columns) implements PreprocessStep {
    public static final Kind<Mean> KIND =
        Kind.of("mean", Mean.class, Schema.of(Mean::new, columnsField(Mean::columns)));

    public Mean {
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<Mean> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.IMPUTE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return type == ColumnType.NUMERIC;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.mean(this);
    }
  }

  /** Fill with the median of the column's training values (the mean of the middle two for an even count). */
  record Median(List<String> columns) implements PreprocessStep {
    public static final Kind<Median> KIND =
        Kind.of("median", Median.class, Schema.of(Median::new, columnsField(Median::columns)));

    public Median {
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<Median> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.IMPUTE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return type == ColumnType.NUMERIC;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.median(this);
    }
  }

  /** Fill with the largest training value. */
  record Max(List<String> columns) implements PreprocessStep {
    public static final Kind<Max> KIND = Kind.of("max", Max.class, Schema.of(Max::new, columnsField(Max::columns)));

    public Max {
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<Max> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.IMPUTE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return type == ColumnType.NUMERIC;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.max(this);
    }
  }

  /** Fill with the smallest training value. */
  record Min(List<String> columns) implements PreprocessStep {
    public static final Kind<Min> KIND = Kind.of("min", Min.class, Schema.of(Min::new, columnsField(Min::columns)));

    public Min {
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<Min> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.IMPUTE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return type == ColumnType.NUMERIC;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.min(this);
    }
  }

  /** Fill with the most frequent training value; a tie goes to the smallest (number or string order). */
  record MostFrequent(List<String> columns) implements PreprocessStep {
    public static final Kind<MostFrequent> KIND =
        Kind.of("most_frequent", MostFrequent.class, Schema.of(MostFrequent::new, columnsField(MostFrequent::columns)));

    public MostFrequent {
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<MostFrequent> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.IMPUTE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return true;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.mostFrequent(this);
    }
  }

  /**
   * Fill with a declared value: a number for numeric columns, a string for categorical ones.
   * Without {@code columns} it applies to the columns of its value's type.
   */
  record Constant(Scalar value, List<String> columns) implements PreprocessStep {
    private static final Field<Constant, Scalar> VALUE = Field.of("value", Codec.SCALAR, Constant::value);
    public static final Kind<Constant> KIND =
        Kind.of("constant", Constant.class, Schema.of(Constant::new, VALUE, columnsField(Constant::columns)));

    public Constant {
      Objects.requireNonNull(value, "value");
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<Constant> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.IMPUTE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return value.isNumber() == (type == ColumnType.NUMERIC);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.constant(this);
    }
  }

  // ---- scaling ----

  /** {@code (x - mean) / std}, the population standard deviation of the (imputed) training values. */
  record Standardize(List<String> columns) implements PreprocessStep {
    public static final Kind<Standardize> KIND =
        Kind.of("standardize", Standardize.class, Schema.of(Standardize::new, columnsField(Standardize::columns)));

    public Standardize {
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<Standardize> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.SCALE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return type == ColumnType.NUMERIC;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.standardize(this);
    }
  }

  /** {@code (x - min) / (max - min)} over the (imputed) training values: training data lands in [0, 1]. */
  record MinMax(List<String> columns) implements PreprocessStep {
    public static final Kind<MinMax> KIND =
        Kind.of("min_max", MinMax.class, Schema.of(MinMax::new, columnsField(MinMax::columns)));

    public MinMax {
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<MinMax> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.SCALE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return type == ColumnType.NUMERIC;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.minMax(this);
    }
  }

  // ---- encoding ----

  /**
   * One 0/1 feature per category of the (imputed) training values, sorted; {@code unseen} says
   * what a category the training data did not have becomes.
   */
  record OneHot(Unseen unseen, List<String> columns) implements PreprocessStep {
    private static final Field<OneHot, Unseen> UNSEEN =
        Field.of("unseen", Codec.oneOf(Unseen.class), OneHot::unseen).orElse(Unseen.ZEROS);
    public static final Kind<OneHot> KIND =
        Kind.of("one_hot", OneHot.class, Schema.of(OneHot::new, UNSEEN, columnsField(OneHot::columns)));

    public OneHot {
      Objects.requireNonNull(unseen, "unseen");
      columns = List.copyOf(columns);
    }

    @Override
    public Kind<OneHot> kind() {
      return KIND;
    }

    @Override
    public Role role() {
      return Role.ENCODE;
    }

    @Override
    public boolean accepts(ColumnType type) {
      return type == ColumnType.CATEGORICAL;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.oneHot(this);
    }
  }
}
