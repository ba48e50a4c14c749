package dev.rosetta.converter;

import static dev.rosetta.converter.OnnxGraphBuilder.intAttribute;
import static dev.rosetta.converter.OnnxGraphBuilder.intsAttribute;
import static dev.rosetta.converter.OnnxGraphBuilder.stringsAttribute;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.rosetta.spec.PreprocessStep.Unseen;
import dev.rosetta.spec.Shape;
import dev.rosetta.tabular.Preprocessor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The fitted preprocessing as the first nodes of an exported graph, so the file reads raw table
 * rows and needs nothing from Rosetta:
 *
 * <ul>
 *   <li>{@value #NUMERIC} — float32 {@code [batch, numeric columns]}, NaN for a missing cell:
 *       {@code Where(IsNaN(x), fill, x)}, then {@code Sub(center)} and {@code Div(scale)}: the
 *       float32 operations {@link Preprocessor#transform} performs, so both give the same bits.
 *   <li>{@value #CATEGORICAL} — string {@code [batch, categorical columns]}, the cells' trimmed
 *       text, any of the spec's missing markers (such as {@code ""}) for a missing cell: per column
 *       {@code Slice}, {@code ai.onnx.ml.LabelEncoder} (category → its index, a missing marker →
 *       the fill's index, anything else → -1), {@code ai.onnx.ml.OneHotEncoder} over the indexes
 *       with {@code zeros=1} for {@code unseen: "zeros"} (an unseen category is an all-zero block)
 *       or {@code zeros=0} for {@code "error"} (ONNX Runtime refuses the run), and {@code Flatten}.
 * </ul>
 *
 * The parts are concatenated in the spec's order (numeric block, then each one-hot block) into
 * the model's input vector.
 */
final class OnnxPreprocessing {
  static final String NUMERIC = OnnxLowering.INPUT;
  static final String CATEGORICAL = "categorical";
  /** The tensor the model's first layer reads. */
  static final String FEATURES = "preprocess.features";
  /** The {@code ai.onnx.ml} domain of the encoders. */
  static final String ML = "ai.onnx.ml";

  private OnnxPreprocessing() {}

  /** The {@code ai.onnx.ml} opset that goes with a default-domain opset (LabelEncoder-2 from 13 on). */
  static int mlOpset(int opset) {
    return opset >= 17 ? 3 : 2;
  }

  /** The graph's inputs: {@value #NUMERIC} and/or {@value #CATEGORICAL}. */
  static List<ValueInfoProto> inputs(Preprocessor p) {
    List<ValueInfoProto> out = new ArrayList<>();
    if (!p.numeric().isEmpty()) {
      out.add(OnnxGraphBuilder.valueInfo(NUMERIC, Shape.of(p.numeric().size())));
    }
    if (!p.categorical().isEmpty()) {
      out.add(OnnxGraphBuilder.valueInfo(CATEGORICAL, Shape.of(p.categorical().size()), TensorProto.DataType.STRING));
    }
    return out;
  }

  /** Adds the nodes; returns the name of the tensor holding the model input. */
  static String lower(OnnxGraphBuilder g, Preprocessor p) {
    List<String> parts = new ArrayList<>();
    if (!p.numeric().isEmpty()) {
      parts.add(numeric(g, p.numeric()));
    }
    for (int c = 0; c < p.categorical().size(); c++) {
      parts.add(categorical(g, p, c));
    }
    g.node("Concat", "preprocess/concat", FEATURES, parts.toArray(new String[0])).addAttribute(intAttribute("axis", 1));
    return FEATURES;
  }

  private static String numeric(OnnxGraphBuilder g, List<Preprocessor.NumericColumn> columns) {
    int n = columns.size();
    float[] fill = new float[n];
    float[] center = new float[n];
    float[] scale = new float[n];
    boolean fills = false;
    boolean scales = false;
    for (int i = 0; i < n; i++) {
      Preprocessor.NumericColumn c = columns.get(i);
      fill[i] = c.fill();
      fills |= !Float.isNaN(c.fill());
      center[i] = c.center();
      scale[i] = c.scale();
      scales |= c.scaling() != null;
    }
    String x = NUMERIC;
    if (fills) {
      g.node("IsNaN", "preprocess/is_missing", "preprocess.missing", x);
      // A column no step fills keeps NaN here: Where(NaN, NaN, NaN) is its own value.
      String f = g.floats("preprocess/fill", "preprocess.fill", fill);
      g.node("Where", "preprocess/impute", "preprocess.imputed", "preprocess.missing", f, x);
      x = "preprocess.imputed";
    }
    if (scales) {
      String c = g.floats("preprocess/center", "preprocess.center", center);
      String s = g.floats("preprocess/scale", "preprocess.scale", scale);
      g.node("Sub", "preprocess/subtract_center", "preprocess.centered", x, c);
      g.node("Div", "preprocess/divide_scale", "preprocess.scaled", "preprocess.centered", s);
      x = "preprocess.scaled";
    }
    return x;
  }

  private static String categorical(OnnxGraphBuilder g, Preprocessor p, int c) {
    Preprocessor.CategoricalColumn col = p.categorical().get(c);
    String n = "preprocess/" + col.name();
    String t = "preprocess." + col.name();
    String begin = g.longs(n + "/begin", t + ".begin", c);
    String end = g.longs(n + "/end", t + ".end", c + 1);
    String axis = g.longs(n + "/axis", t + ".axis", 1);
    g.node("Slice", n + "/slice", t + ".cell", CATEGORICAL, begin, end, axis);
    List<String> keys = new ArrayList<>(col.categories());
    List<Long> values = new ArrayList<>();
    for (int i = 0; i < col.categories().size(); i++) {
      values.add((long) i);
    }
    int fillIndex = col.fill() == null ? -1 : col.categories().indexOf(col.fill());
    Set<String> markers = new LinkedHashSet<>(p.spec().missing());
    markers.removeAll(col.categories());
    for (String m : markers) {
      keys.add(m);
      values.add((long) fillIndex);
    }
    g.node("LabelEncoder", n + "/index", t + ".index", t + ".cell")
        .setDomain(ML)
        .addAttribute(stringsAttribute("keys_strings", keys))
        .addAttribute(intsAttribute("values_int64s", values.stream().mapToLong(Long::longValue).toArray()))
        .addAttribute(intAttribute("default_int64", -1));
    long[] categories = new long[col.categories().size()];
    for (int i = 0; i < categories.length; i++) {
      categories[i] = i;
    }
    g.node("OneHotEncoder", n + "/one_hot", t + ".one_hot", t + ".index")
        .setDomain(ML)
        .addAttribute(intsAttribute("cats_int64s", categories))
        .addAttribute(intAttribute("zeros", col.unseen() == Unseen.ZEROS ? 1 : 0));
    g.declare(OnnxGraphBuilder.valueInfo(t + ".one_hot", Shape.of(1, categories.length)));
    g.node("Flatten", n + "/flatten", t + ".features", t + ".one_hot").addAttribute(intAttribute("axis", 1));
    return t + ".features";
  }
}
