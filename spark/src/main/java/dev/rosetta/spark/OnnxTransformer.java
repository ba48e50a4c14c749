package dev.rosetta.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML stage that scores an ONNX model (a Rosetta export, or any model with float and
 * string inputs and float outputs) with ONNX Runtime, one session per partition made from the
 * broadcast model bytes. It keeps the input columns and adds the raw outputs ({@code array<float>}),
 * and for a classifier the predicted class index ({@code double}, as Spark ML's classifiers
 * write it), the probabilities ({@code array<float>}) and the class name when the model carries
 * class names.
 *
 * <p>Inputs: the model's one float input from an {@code array<float>}, {@code array<double>} or ML
 * {@code Vector} column ({@link #setInputCol}, default {@code features}) or from numeric columns
 * ({@link #setInputCols}); several inputs with {@link #setFeeds}. A Rosetta export with fitted
 * preprocessing reads its raw table columns by the names its metadata carries, a null cell being
 * a missing value. {@link #transformSchema} checks every column against the model's inputs before
 * any job runs. The stage saves and loads like any Spark ML stage (the model as {@code
 * model.onnx} beside the parameters), so it fits in a {@code Pipeline}.
 */
public final class OnnxTransformer extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;
  /** The file that holds the model in a saved stage's folder. */
  static final String MODEL_FILE = "model.onnx";

  private final String uid;
  private byte[] model;
  private String source;
  private transient ModelSignature signature;

  private final Param<String> inputCol;
  private final StringArrayParam inputCols;
  private final StringArrayParam feeds;
  private final Param<String> outputCol;
  private final StringArrayParam outputs;
  private final Param<String> predictionCol;
  private final Param<String> probabilityCol;
  private final Param<String> predictedLabelCol;
  private final Param<String> outputMeaning;
  private final StringArrayParam classNames;
  private final IntParam batchSize;
  private final IntParam threads;

  public OnnxTransformer() {
    this(Identifiable$.MODULE$.randomUID("onnx"));
  }

  public OnnxTransformer(String uid) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", "the array<float>, array<double> or ML vector column of the model's one float input");
    inputCols = new StringArrayParam(this, "inputCols", "numeric columns that make the model's one float input, in order");
    feeds = new StringArrayParam(this, "feeds", "several inputs: 'tensor=column' or 'tensor=col1,col2,...' per model input");
    outputCol = new Param<>(this, "outputCol", "the column of the first output's raw values (array<float>)");
    outputs = new StringArrayParam(this, "outputs", "further outputs: 'tensor=column' each");
    predictionCol = new Param<>(this, "predictionCol", "the predicted class index (double), empty for none");
    probabilityCol = new Param<>(this, "probabilityCol", "the class probabilities (array<float>), empty for none");
    predictedLabelCol = new Param<>(this, "predictedLabelCol", "the predicted class name, when the model has names; empty for none");
    outputMeaning = new Param<>(this, "outputMeaning", "what the first output holds: auto (from a Rosetta export's spec), logits,"
        + " probabilities or raw (no class columns)",
        ParamValidators.inArray(new String[] {"auto", "logits", "probabilities", "raw"}));
    classNames = new StringArrayParam(this, "classNames", "class names by index (default: those the model carries)");
    batchSize = new IntParam(this, "batchSize", "rows per ONNX Runtime call", ParamValidators.gtEq(1));
    threads = new IntParam(this, "threads", "ONNX Runtime intra-op threads per task (0: one per core)", ParamValidators.gtEq(0));
    setDefault(inputCol, "features");
    setDefault(outputCol, "output");
    setDefault(predictionCol, "prediction");
    setDefault(probabilityCol, "probability");
    setDefault(predictedLabelCol, "predicted_label");
    setDefault(outputMeaning, "auto");
    setDefault(batchSize, (Object) 256);
    setDefault(threads, (Object) 1);
  }

  @Override
  public String uid() {
    return uid;
  }

  // ---- the model ----

  /** The model from an ONNX file on the driver's file system. */
  public OnnxTransformer setModelFile(java.nio.file.Path file) {
    try {
      return setModel(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new ScoringException("cannot read model " + file + ": " + e, e);
    }
  }

  /**
   * The model from its bytes.
   *
   * @param source names the model in messages
   * @throws ScoringException when the bytes are not an ONNX model
   */
  public OnnxTransformer setModel(byte[] bytes, String source) {
    ModelSignature s = ModelSignature.read(bytes, source);
    this.model = bytes.clone();
    this.source = source;
    this.signature = s;
    return this;
  }

  public byte[] modelBytes() {
    return model == null ? null : model.clone();
  }

  private ModelSignature signature() {
    if (model == null) {
      throw new ScoringException("no model: call setModelFile or setModel first");
    }
    if (signature == null) {
      signature = ModelSignature.read(model, source);
    }
    return signature;
  }

  // ---- parameters ----

  public Param<String> inputCol() {
    return inputCol;
  }

  public StringArrayParam inputCols() {
    return inputCols;
  }

  public StringArrayParam feeds() {
    return feeds;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public StringArrayParam outputs() {
    return outputs;
  }

  public Param<String> predictionCol() {
    return predictionCol;
  }

  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  public Param<String> predictedLabelCol() {
    return predictedLabelCol;
  }

  public Param<String> outputMeaning() {
    return outputMeaning;
  }

  public StringArrayParam classNames() {
    return classNames;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public IntParam threads() {
    return threads;
  }

  public OnnxTransformer setInputCol(String c) {
    set(inputCol, c);
    return this;
  }

  public OnnxTransformer setInputCols(String... c) {
    set(inputCols, c);
    return this;
  }

  /** Several model inputs: {@code "tensor=column"} or {@code "tensor=col1,col2"} for each. */
  public OnnxTransformer setFeeds(String... f) {
    set(feeds, f);
    return this;
  }

  public OnnxTransformer setOutputCol(String c) {
    set(outputCol, c);
    return this;
  }

  /** Further output tensors as columns: {@code "tensor=column"} each. */
  public OnnxTransformer setOutputs(String... o) {
    set(outputs, o);
    return this;
  }

  public OnnxTransformer setPredictionCol(String c) {
    set(predictionCol, c);
    return this;
  }

  public OnnxTransformer setProbabilityCol(String c) {
    set(probabilityCol, c);
    return this;
  }

  public OnnxTransformer setPredictedLabelCol(String c) {
    set(predictedLabelCol, c);
    return this;
  }

  /** {@code auto}, {@code logits}, {@code probabilities} or {@code raw}. */
  public OnnxTransformer setOutputMeaning(String m) {
    set(outputMeaning, m);
    return this;
  }

  public OnnxTransformer setClassNames(String... names) {
    set(classNames, names);
    return this;
  }

  public OnnxTransformer setBatchSize(int n) {
    set(batchSize, (Object) n);
    return this;
  }

  public OnnxTransformer setThreads(int n) {
    set(threads, (Object) n);
    return this;
  }

  private String string(Param<String> p) {
    return $(p);
  }

  private int integer(IntParam p) {
    return (Integer) $(p);
  }

  // ---- schema and plan ----

  @Override
  public StructType transformSchema(StructType schema) {
    ScoringPlan plan = plan(schema);
    return outputSchema(schema, plan);
  }

  /**
   * What the tasks will do for a table of this schema.
   *
   * @throws ScoringException naming the column or tensor when anything does not fit
   */
  ScoringPlan plan(StructType schema) {
    ModelSignature sig = signature();
    List<Feed> fs = new ArrayList<>();
    columnsByInput().forEach((t, cols) -> fs.add(Feed.resolve(schema, t, cols, sig.source())));
    int batch = integer(batchSize);
    for (Feed f : fs) {
      long fixed = f.tensor().fixedBatch();
      if (fixed > 1) {
        throw new ScoringException(sig.source() + " input " + f.tensor() + " has a fixed batch of " + fixed
            + " rows; the scorer needs a free batch axis (or a batch of 1)");
      }
      if (fixed == 1) {
        batch = 1;
      }
    }
    List<ScoringPlan.Output> outs = new ArrayList<>();
    outs.add(output(sig, sig.outputs().get(0), string(outputCol)));
    if (isSet(outputs)) {
      for (String o : $(outputs)) {
        int eq = o.indexOf('=');
        if (eq <= 0 || eq == o.length() - 1) {
          throw new ScoringException("outputs entry '" + o + "' must be 'tensor=column'");
        }
        outs.add(output(sig, sig.output(o.substring(0, eq)), o.substring(eq + 1)));
      }
    }
    String meaning = string(outputMeaning);
    boolean classifier;
    boolean logits;
    if (meaning.equals("auto")) {
      classifier = sig.meaning() != ModelSignature.OutputMeaning.RAW;
      logits = sig.meaning() == ModelSignature.OutputMeaning.LOGITS;
    } else {
      classifier = !meaning.equals("raw");
      logits = meaning.equals("logits");
    }
    List<String> classes = isSet(classNames) ? Arrays.asList($(classNames)) : sig.classes();
    if (classes != null && classes.size() != outs.get(0).width()) {
      throw new ScoringException(sig.source() + ": " + classes.size() + " class names for " + outs.get(0).width()
          + " outputs per row");
    }
    String prediction = classifier ? blankToNull(string(predictionCol)) : null;
    String probability = classifier ? blankToNull(string(probabilityCol)) : null;
    String label = classifier && classes != null ? blankToNull(string(predictedLabelCol)) : null;
    ScoringPlan plan = new ScoringPlan(sig.source(), fs, outs, prediction, probability, label, logits, classes, batch,
        integer(threads));
    List<String> taken = new ArrayList<>(Arrays.asList(schema.fieldNames()));
    for (String c : added(plan)) {
      if (taken.contains(c)) {
        throw new ScoringException("column '" + c + "' already exists: choose another output column name");
      }
      taken.add(c);
    }
    return plan;
  }

  /**
   * Which columns fill which model input, as configured: {@link #setFeeds}; else an export's own
   * raw column names ({@link #setInputCols} renaming its numeric ones); else the one input from
   * {@link #setInputCols} or {@link #setInputCol}.
   */
  private java.util.LinkedHashMap<ModelSignature.Tensor, List<String>> columnsByInput() {
    ModelSignature sig = signature();
    java.util.LinkedHashMap<ModelSignature.Tensor, List<String>> by = new java.util.LinkedHashMap<>();
    if (isSet(feeds)) {
      for (String f : $(feeds)) {
        int eq = f.indexOf('=');
        if (eq <= 0 || eq == f.length() - 1) {
          throw new ScoringException("feeds entry '" + f + "' must be 'tensor=column' or 'tensor=col1,col2,...'");
        }
        by.put(sig.input(f.substring(0, eq)), Arrays.asList(f.substring(eq + 1).split(",")));
      }
      for (ModelSignature.Tensor t : sig.inputs()) {
        if (!by.containsKey(t)) {
          throw new ScoringException(sig.source() + " input " + t + " has no feed (feeds: " + String.join("; ", $(feeds)) + ")");
        }
      }
    } else if (readsNamedColumns()) {
      if (!sig.numericColumns().isEmpty()) {
        by.put(sig.inputs().get(0), isSet(inputCols) ? Arrays.asList($(inputCols)) : sig.numericColumns());
      }
      if (!sig.categoricalColumns().isEmpty()) {
        by.put(sig.inputs().get(sig.inputs().size() - 1), sig.categoricalColumns());
      }
    } else {
      if (sig.inputs().size() != 1) {
        throw new ScoringException(sig.source() + " has " + sig.inputs().size() + " inputs " + sig.inputs()
            + ": name a column for each with setFeeds(\"tensor=column\", ...)");
      }
      by.put(sig.inputs().get(0), isSet(inputCols) ? Arrays.asList($(inputCols)) : List.of(string(inputCol)));
    }
    return by;
  }

  /** Whether the model names the raw table columns it reads: a Rosetta export with fitted preprocessing. */
  public boolean readsNamedColumns() {
    ModelSignature sig = signature();
    return !sig.numericColumns().isEmpty() || !sig.categoricalColumns().isEmpty();
  }

  /** The columns the model's float inputs read as configured: the cells a CSV reader must turn into numbers. */
  public List<String> numericInputs() {
    List<String> out = new ArrayList<>();
    columnsByInput().forEach((t, cols) -> {
      if (t.elementType().equals("float")) {
        out.addAll(cols);
      }
    });
    return out;
  }

  private static ScoringPlan.Output output(ModelSignature sig, ModelSignature.Tensor t, String column) {
    if (!t.elementType().equals("float")) {
      throw new ScoringException(sig.source() + " output " + t + ": only float outputs become columns");
    }
    long w = t.width();
    if (w < 0) {
      throw new ScoringException(sig.source() + " output " + t + " has an axis of unknown size after the batch axis");
    }
    return new ScoringPlan.Output(t, column, (int) w);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static List<String> added(ScoringPlan plan) {
    List<String> c = new ArrayList<>();
    plan.outputs().forEach(o -> c.add(o.column()));
    if (plan.predictionCol() != null) {
      c.add(plan.predictionCol());
    }
    if (plan.probabilityCol() != null) {
      c.add(plan.probabilityCol());
    }
    if (plan.labelCol() != null) {
      c.add(plan.labelCol());
    }
    return c;
  }

  private static StructType outputSchema(StructType schema, ScoringPlan plan) {
    StructType out = schema;
    for (ScoringPlan.Output o : plan.outputs()) {
      out = out.add(new StructField(o.column(), DataTypes.createArrayType(DataTypes.FloatType, false), false,
          org.apache.spark.sql.types.Metadata.empty()));
    }
    if (plan.predictionCol() != null) {
      out = out.add(plan.predictionCol(), DataTypes.DoubleType, false);
    }
    if (plan.probabilityCol() != null) {
      out = out.add(new StructField(plan.probabilityCol(), DataTypes.createArrayType(DataTypes.FloatType, false), false,
          org.apache.spark.sql.types.Metadata.empty()));
    }
    if (plan.labelCol() != null) {
      out = out.add(plan.labelCol(), DataTypes.StringType, true);
    }
    return out;
  }

  // ---- scoring ----

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    ScoringPlan plan = plan(schema);
    StructType out = outputSchema(schema, plan);
    SparkSession spark = dataset.sparkSession();
    Broadcast<byte[]> bytes = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(model);
    // Spark's internal rows: arrays are read and written as primitive arrays, never boxed.
    JavaRDD<InternalRow> rows = dataset.toDF().queryExecution().toRdd().toJavaRDD()
        .mapPartitions(new PartitionScorer(bytes, plan));
    return ((org.apache.spark.sql.classic.SparkSession) spark).internalCreateDataFrame(rows.rdd(), out, false);
  }

  @Override
  public OnnxTransformer copy(ParamMap extra) {
    OnnxTransformer c = new OnnxTransformer(uid);
    c.model = model;
    c.source = source;
    c.signature = signature;
    return copyValues(c, extra);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "OnnxTransformer(%s, %s)", uid, source);
  }

  // ---- save and load ----

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<OnnxTransformer> read() {
    return new Reader();
  }

  public static OnnxTransformer load(String path) {
    return read().load(path);
  }

  /** The parameters as Spark ML writes any stage's, and the model as {@value #MODEL_FILE} beside them. */
  private static final class Writer extends MLWriter {
    private final OnnxTransformer stage;

    Writer(OnnxTransformer stage) {
      this.stage = stage;
    }

    @Override
    public void saveImpl(String path) {
      if (stage.model == null) {
        throw new ScoringException("cannot save " + stage.uid + ": it has no model");
      }
      DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, sparkSession());
      Path file = new Path(path, MODEL_FILE);
      try {
        FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        try (OutputStream out = fs.create(file, false)) {
          out.write(stage.model);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }
  }

  private static final class Reader extends MLReader<OnnxTransformer> {
    @Override
    public OnnxTransformer load(String path) {
      DefaultParamsReader.Metadata meta =
          DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(), OnnxTransformer.class.getName());
      OnnxTransformer t = new OnnxTransformer(meta.uid());
      Path file = new Path(path, MODEL_FILE);
      try {
        FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        try (InputStream in = fs.open(file); ByteArrayOutputStream b = new ByteArrayOutputStream()) {
          in.transferTo(b);
          t.setModel(b.toByteArray(), file.toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      meta.getAndSetParams(t, scala.Option.empty());
      return t;
    }
  }
}
