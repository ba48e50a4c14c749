package dev.rosetta.converter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rosetta.spec.ModelSpec;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxTextTest {

  @Test
  void dumpShowsTheStructure() {
    ModelSpec spec = TestSpecs.dense3d(true);
    String dump = OnnxText.dump(OnnxLowering.lower(spec, Initializer.initialize(spec), Map.of("backend", "pytorch")));
    assertEquals(
        """
        ir_version 8
        opset ai.onnx 17
        producer rosetta
        metadata_keys backend, rosetta_version, spec_hash, spec_name
        graph dense3d
          input input: float[batch, 3, 4]
          output output: float[batch, 3, 6]
          initializer fc.weight: float[6, 4]
          initializer fc.bias: float[6]
          node fc/transpose_weight: Transpose(fc.weight) -> fc.weight_transposed {perm=[1, 0]}
          node fc/matmul: MatMul(input, fc.weight_transposed) -> fc.matmul
          node fc/add_bias: Add(fc.matmul, fc.bias) -> output
        """,
        dump);
  }

  @Test
  void dumpIgnoresWeightValuesAndProvenanceValues() {
    ModelSpec spec = TestSpecs.everyLayer();
    WeightSet w = Initializer.initialize(spec);
    Map<String, Tensor> other = new LinkedHashMap<>();
    w.tensors().forEach((k, t) -> other.put(k, new Tensor(t.shape(), new float[t.data().length])));
    String a = OnnxText.dump(OnnxLowering.lower(spec, w, Map.of("step", "1")));
    String b = OnnxText.dump(OnnxLowering.lower(spec, new WeightSet(other), Map.of("step", "2")));
    assertEquals(a, b);
    assertFalse(a.contains(Float.toString(w.get("fc1.weight").data()[0])));
  }
}
