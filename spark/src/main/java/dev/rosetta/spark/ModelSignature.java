package dev.rosetta.spark;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.rosetta.converter.OnnxImport;
import dev.rosetta.converter.OnnxInspector;
import dev.rosetta.converter.OnnxLowering;
import dev.rosetta.converter.OnnxSummary;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.Preprocessor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the scorer needs to know about an ONNX model, read once on the driver from its bytes: its
 * tensors, and from a Rosetta export's metadata what its first output means (logits of a
 * classifier, or a regression) and, for an export with fitted preprocessing, the raw table
 * columns it reads and the class names.
 *
 * @param source names the model in messages
 * @param classes class names, or null when the model carries none
 * @param meaning what the first output is, as far as the file tells
 * @param numericColumns the raw numeric columns of an export with preprocessing (its float input), else empty
 * @param categoricalColumns its raw categorical columns (its string input), else empty
 */
record ModelSignature(
    String source, List<Tensor> inputs, List<Tensor> outputs, List<String> classes, OutputMeaning meaning,
    List<String> numericColumns, List<String> categoricalColumns) implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What a model's first output holds; the prediction and probability columns follow from it. */
  enum OutputMeaning {
    /** Unnormalised class scores: probabilities are their softmax. */
    LOGITS,
    /** Class probabilities already. */
    PROBABILITIES,
    /** Anything else (a regression, an unknown model): only the raw output column. */
    RAW
  }

  /**
   * One graph input or output.
   *
   * @param elementType ONNX element type in lower case ({@code float}, {@code string})
   * @param dims each axis: a size, a symbolic name or {@code ?}; axis 0 is the batch
   */
  record Tensor(String name, String elementType, List<String> dims) implements Serializable {
    private static final long serialVersionUID = 1L;

    Tensor {
      dims = List.copyOf(dims);
    }

    /** Values per row: the product of the axes after the batch, or -1 when one is not a number. */
    long width() {
      long w = 1;
      for (int i = 1; i < dims.size(); i++) {
        if (!isNumber(dims.get(i))) {
          return -1;
        }
        w *= Long.parseLong(dims.get(i));
      }
      return w;
    }

    /** The fixed batch size the graph demands, or 0 when the batch axis is free. */
    long fixedBatch() {
      return dims.isEmpty() || !isNumber(dims.get(0)) ? 0 : Long.parseLong(dims.get(0));
    }

    /** The tensor shape of {@code n} rows. */
    long[] shape(int n) {
      long[] s = new long[Math.max(dims.size(), 1)];
      s[0] = n;
      for (int i = 1; i < dims.size(); i++) {
        s[i] = Long.parseLong(dims.get(i));
      }
      return s;
    }

    @Override
    public String toString() {
      return name + ": " + elementType + "[" + String.join(", ", dims) + "]";
    }

    private static boolean isNumber(String d) {
      return !d.isEmpty() && d.chars().allMatch(Character::isDigit);
    }
  }

  /**
   * @throws ScoringException when the bytes are not an ONNX model
   */
  static ModelSignature read(byte[] bytes, String source) {
    ModelProto proto;
    try {
      proto = ModelProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new ScoringException(source + ": not an ONNX model (" + e.getMessage() + ")", e);
    }
    if (!proto.hasGraph() || proto.getGraph().getInputCount() == 0) {
      throw new ScoringException(source + ": not an ONNX model (no graph inputs)");
    }
    OnnxSummary s = OnnxInspector.summarize(source, proto);
    // A graph lists its initialisers among its inputs in old exports; only real inputs are fed.
    List<String> initialisers = proto.getGraph().getInitializerList().stream().map(t -> t.getName()).toList();
    List<Tensor> inputs = new ArrayList<>();
    for (OnnxSummary.Value v : s.inputs()) {
      if (!initialisers.contains(v.name())) {
        inputs.add(new Tensor(v.name(), v.elementType(), v.dims()));
      }
    }
    List<Tensor> outputs = s.outputs().stream().map(v -> new Tensor(v.name(), v.elementType(), v.dims())).toList();
    Map<String, String> meta = s.metadata();
    String specJson = meta.get(OnnxImport.SPEC_METADATA);
    if (specJson == null) {
      return new ModelSignature(source, inputs, outputs, null, OutputMeaning.RAW, List.of(), List.of());
    }
    CheckedSpec spec = SpecJson.parse(specJson, source + " (its " + OnnxImport.SPEC_METADATA + " metadata)");
    OutputMeaning meaning = spec.loss().classifies() ? OutputMeaning.LOGITS : OutputMeaning.RAW;
    String pre = meta.get(OnnxLowering.PREPROCESS);
    if (pre == null) {
      return new ModelSignature(source, inputs, outputs, null, meaning, List.of(), List.of());
    }
    Preprocessor p = Preprocessor.fromJson(pre, spec, source);
    return new ModelSignature(source, inputs, outputs, p.classes(), meaning,
        p.numeric().stream().map(Preprocessor.NumericColumn::name).toList(),
        p.categorical().stream().map(Preprocessor.CategoricalColumn::name).toList());
  }

  Tensor input(String name) {
    return inputs.stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new ScoringException(source + " has no input tensor '" + name + "' (inputs: " + inputs + ")"));
  }

  Tensor output(String name) {
    return outputs.stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new ScoringException(source + " has no output tensor '" + name + "' (outputs: " + outputs + ")"));
  }
}
