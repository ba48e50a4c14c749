package dev.rosetta.spark;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * How one model input tensor is filled from a row, decided on the driver from the table's schema
 * ({@link #resolve}) and run in the tasks on Spark's internal rows, so no value is boxed: an
 * {@code array<float>} or {@code array<double>} column, an ML {@code Vector} column, several
 * numeric columns (a null cell is NaN, which an export with preprocessing reads as missing), or
 * several string columns (a null cell is the empty string, its missing category).
 */
sealed interface Feed extends Serializable permits Feed.Floats, Feed.StringColumns {

  /** The model input this fills. */
  ModelSignature.Tensor tensor();

  /** The columns it reads, for messages. */
  List<String> columns();

  /** Floats of direct buffer this feed needs for {@code rows} rows (0: it needs none). */
  int bufferFloats(int rows);

  /**
   * The input tensor of {@code n} rows.
   *
   * @param buffer the feed's own direct buffer, of {@link #bufferFloats} floats, or null
   * @param where the partition, for messages about a row; {@code first} is the first row's number
   */
  OnnxTensor tensor(OrtEnvironment env, InternalRow[] rows, int n, FloatBuffer buffer, String where, long first)
      throws OrtException;

  /** A feed of a float tensor: writes {@code width} values of each row. */
  sealed interface Floats extends Feed permits ArrayColumn, VectorColumn, NumericColumns {
    /**
     * @param row where the row sits (partition and index), for the message when it does not fit
     */
    void put(InternalRow r, FloatBuffer into, String row);

    @Override
    default int bufferFloats(int rows) {
      return rows * (int) tensor().width();
    }

    /** The rows' values written into {@code buffer}, which ONNX Runtime reads in place (a direct buffer). */
    @Override
    default OnnxTensor tensor(OrtEnvironment env, InternalRow[] rows, int n, FloatBuffer buffer, String where, long first)
        throws OrtException {
      buffer.clear();
      for (int r = 0; r < n; r++) {
        put(rows[r], buffer, where + ", row " + (first + r));
      }
      buffer.flip();
      return OnnxTensor.createTensor(env, buffer, tensor().shape(n));
    }
  }

  /** An {@code array<float>} or {@code array<double>} column; its length is checked on every row. */
  record ArrayColumn(ModelSignature.Tensor tensor, String column, int ordinal, boolean doubles, int width) implements Floats {
    @Override
    public List<String> columns() {
      return List.of(column);
    }

    @Override
    public void put(InternalRow r, FloatBuffer into, String row) {
      if (r.isNullAt(ordinal)) {
        throw new ScoringException(row + ": column '" + column + "' is null");
      }
      ArrayData a = r.getArray(ordinal);
      int n = a.numElements();
      if (n != width) {
        throw new ScoringException(row + ": column '" + column + "' holds " + n + " values; model input " + tensor
            + " takes " + width + " per row");
      }
      for (int i = 0; i < n; i++) {
        into.put(a.isNullAt(i) ? Float.NaN : doubles ? (float) a.getDouble(i) : a.getFloat(i));
      }
    }
  }

  /**
   * An ML {@code Vector} column, read in its stored form: a struct of type (0 sparse, 1 dense),
   * size, indices and values (see {@link VectorUDT}).
   */
  record VectorColumn(ModelSignature.Tensor tensor, String column, int ordinal, int width) implements Floats {
    @Override
    public List<String> columns() {
      return List.of(column);
    }

    @Override
    public void put(InternalRow r, FloatBuffer into, String row) {
      if (r.isNullAt(ordinal)) {
        throw new ScoringException(row + ": column '" + column + "' is null");
      }
      InternalRow v = r.getStruct(ordinal, 4);
      ArrayData values = v.getArray(3);
      boolean dense = v.getByte(0) == 1;
      int size = dense ? values.numElements() : v.getInt(1);
      if (size != width) {
        throw new ScoringException(row + ": column '" + column + "' is a vector of size " + size + "; model input " + tensor
            + " takes " + width + " per row");
      }
      if (dense) {
        for (int i = 0; i < size; i++) {
          into.put((float) values.getDouble(i));
        }
        return;
      }
      int start = into.position();
      for (int i = 0; i < size; i++) {
        into.put(start + i, 0f);
      }
      ArrayData indices = v.getArray(2);
      for (int k = 0; k < indices.numElements(); k++) {
        into.put(start + indices.getInt(k), (float) values.getDouble(k));
      }
      into.position(start + size);
    }
  }

  /** Numeric columns, one value each; null is NaN. */
  record NumericColumns(ModelSignature.Tensor tensor, List<String> columns, int[] ordinals, Numeric[] types) implements Floats {
    @Override
    public void put(InternalRow r, FloatBuffer into, String row) {
      for (int i = 0; i < ordinals.length; i++) {
        into.put(r.isNullAt(ordinals[i]) ? Float.NaN : types[i].read(r, ordinals[i]));
      }
    }
  }

  /** The numeric column types a float input takes, each read without boxing. */
  enum Numeric {
    FLOAT(DataTypes.FloatType) {
      @Override
      float read(InternalRow r, int o) {
        return r.getFloat(o);
      }
    },
    DOUBLE(DataTypes.DoubleType) {
      @Override
      float read(InternalRow r, int o) {
        return (float) r.getDouble(o);
      }
    },
    INT(DataTypes.IntegerType) {
      @Override
      float read(InternalRow r, int o) {
        return r.getInt(o);
      }
    },
    LONG(DataTypes.LongType) {
      @Override
      float read(InternalRow r, int o) {
        return r.getLong(o);
      }
    },
    SHORT(DataTypes.ShortType) {
      @Override
      float read(InternalRow r, int o) {
        return r.getShort(o);
      }
    },
    BYTE(DataTypes.ByteType) {
      @Override
      float read(InternalRow r, int o) {
        return r.getByte(o);
      }
    };

    private final DataType type;

    Numeric(DataType type) {
      this.type = type;
    }

    abstract float read(InternalRow r, int ordinal);

    static Numeric of(DataType t) {
      return Arrays.stream(values()).filter(n -> n.type.equals(t)).findFirst().orElse(null);
    }
  }

  /** String columns for a string tensor; null is {@code ""}. */
  record StringColumns(ModelSignature.Tensor tensor, List<String> columns, int[] ordinals) implements Feed {
    @Override
    public int bufferFloats(int rows) {
      return 0;
    }

    @Override
    public OnnxTensor tensor(OrtEnvironment env, InternalRow[] rows, int n, FloatBuffer buffer, String where, long first)
        throws OrtException {
      int width = ordinals.length;
      String[] cells = new String[n * width];
      for (int r = 0; r < n; r++) {
        for (int i = 0; i < width; i++) {
          UTF8String s = rows[r].isNullAt(ordinals[i]) ? null : rows[r].getUTF8String(ordinals[i]);
          cells[r * width + i] = s == null ? "" : s.toString();
        }
      }
      return OnnxTensor.createTensor(env, cells, tensor().shape(n));
    }
  }

  /**
   * The feed of {@code tensor} from {@code columns} of a table with {@code schema}.
   *
   * @throws ScoringException naming the column when it is missing, of a type the tensor cannot
   *     take, or of the wrong width (an array or vector column's width is known before the job
   *     when its metadata carries an ML attribute group, as VectorAssembler's output does; else it
   *     is checked on every row)
   */
  static Feed resolve(StructType schema, ModelSignature.Tensor tensor, List<String> columns, String source) {
    long width = tensor.width();
    String model = source + " input " + tensor;
    if (width < 0) {
      throw new ScoringException(model + " has an axis of unknown size after the batch axis: the scorer needs a fixed row width");
    }
    if (columns.isEmpty()) {
      throw new ScoringException(model + ": no column given for it");
    }
    List<StructField> fields = new ArrayList<>();
    for (String c : columns) {
      if (!Arrays.asList(schema.fieldNames()).contains(c)) {
        throw new ScoringException("no column '" + c + "' for " + model + " (the table has: " + String.join(", ", schema.fieldNames()) + ")");
      }
      fields.add(schema.apply(c));
    }
    int[] ordinals = columns.stream().mapToInt(schema::fieldIndex).toArray();
    boolean strings = tensor.elementType().equals("string");
    if (!strings && !tensor.elementType().equals("float")) {
      throw new ScoringException(model + ": only float and string inputs can be fed (this one is " + tensor.elementType() + ")");
    }
    if (strings) {
      for (StructField f : fields) {
        if (f.dataType() != DataTypes.StringType) {
          throw new ScoringException("column '" + f.name() + "' is " + f.dataType().simpleString() + "; " + model + " reads string columns");
        }
      }
      requireCount(columns, width, model);
      return new StringColumns(tensor, List.copyOf(columns), ordinals);
    }
    if (fields.size() == 1 && !(fields.get(0).dataType() instanceof NumericType)) {
      StructField f = fields.get(0);
      DataType t = f.dataType();
      long known = knownWidth(f);
      if (known >= 0 && known != width) {
        throw new ScoringException("column '" + f.name() + "' holds " + known + " values per row (its metadata says); " + model
            + " takes " + width);
      }
      if (t instanceof ArrayType a && (a.elementType() == DataTypes.FloatType || a.elementType() == DataTypes.DoubleType)) {
        return new ArrayColumn(tensor, f.name(), ordinals[0], a.elementType() == DataTypes.DoubleType, (int) width);
      }
      if (t instanceof VectorUDT) {
        return new VectorColumn(tensor, f.name(), ordinals[0], (int) width);
      }
      throw new ScoringException("column '" + f.name() + "' is " + t.simpleString() + "; " + model + " reads an array<float>,"
          + " array<double> or ML vector column of " + width + " values, or " + width + " numeric columns");
    }
    Numeric[] types = new Numeric[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      types[i] = Numeric.of(fields.get(i).dataType());
      if (types[i] == null) {
        DataType t = fields.get(i).dataType();
        throw new ScoringException("column '" + fields.get(i).name() + "' is " + t.simpleString() + "; " + model
            + " reads numeric columns (float, double, int, long, short, byte)");
      }
    }
    requireCount(columns, width, model);
    return new NumericColumns(tensor, List.copyOf(columns), ordinals, types);
  }

  /**
   * The width an array or vector column's metadata declares (an ML attribute group, as
   * VectorAssembler writes: {@code {"ml_attr": {"num_attrs": N}}}), or -1.
   */
  private static long knownWidth(StructField f) {
    String group = "ml_attr";
    String size = "num_attrs";
    if (!f.metadata().contains(group)) {
      return -1;
    }
    org.apache.spark.sql.types.Metadata m = f.metadata().getMetadata(group);
    return m.contains(size) ? m.getLong(size) : -1;
  }

  private static void requireCount(List<String> columns, long width, String model) {
    if (columns.size() != width) {
      throw new ScoringException(model + " takes " + width + " values per row; " + columns.size() + " columns given: "
          + String.join(", ", columns));
    }
  }
}
