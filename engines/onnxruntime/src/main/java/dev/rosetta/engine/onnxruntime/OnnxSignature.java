package dev.rosetta.engine.onnxruntime;

import ai.onnx.proto.OnnxMl.ModelProto;
import dev.rosetta.converter.OnnxInspector;
import dev.rosetta.converter.OnnxFileException;
import dev.rosetta.converter.OnnxSummary;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks that an ONNX model's one input and one output fit a spec, before a runtime sees it. */
final class OnnxSignature {
  private OnnxSignature() {}

  /**
   * @return output values per sample
   * @throws OnnxFileException naming both shapes when they differ
   */
  static int check(Path file, ModelProto proto, CheckedSpec spec) throws OnnxFileException {
    OnnxSummary s = OnnxInspector.summarize(file.toString(), proto);
    Shape out = spec.output();
    if (s.inputs().size() != 1 || s.outputs().size() != 1) {
      throw new OnnxFileException(
          file, "expected one input and one output, found inputs " + s.inputs() + " and outputs " + s.outputs());
    }
    String inProblem = mismatch(s.inputs().get(0), spec.input(), spec.takesTokens() ? "int64" : "float");
    if (inProblem != null) {
      throw new OnnxFileException(
          file, "input " + s.inputs().get(0) + " does not fit spec '" + spec.name() + "', whose samples are " + spec.input() + " (" + inProblem + ")");
    }
    String outProblem = mismatch(s.outputs().get(0), out, "float");
    if (outProblem != null) {
      throw new OnnxFileException(
          file, "output " + s.outputs().get(0) + " does not fit spec '" + spec.name() + "', whose outputs are " + out + " (" + outProblem + ")");
    }
    return (int) out.size();
  }

  /** Why {@code v} cannot carry a batch of {@code perSample}, or null. Unknown axes pass. */
  private static String mismatch(OnnxSummary.Value v, Shape perSample, String elementType) {
    if (!v.elementType().equals(elementType)) {
      return "element type " + v.elementType() + ", not " + elementType;
    }
    List<String> dims = v.dims();
    if (dims.size() != perSample.rank() + 1) {
      return "rank " + dims.size() + ", expected " + (perSample.rank() + 1) + " with the batch axis";
    }
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < perSample.rank(); i++) {
      String d = dims.get(i + 1);
      if (!d.isEmpty() && d.chars().allMatch(Character::isDigit) && Long.parseLong(d) != perSample.dim(i)) {
        wrong.add("axis " + (i + 1) + " is " + d + ", expected " + perSample.dim(i));
      }
    }
    return wrong.isEmpty() ? null : String.join("; ", wrong);
  }
}
