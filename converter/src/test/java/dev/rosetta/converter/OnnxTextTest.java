package dev.rosetta.converter;

import dev.rosetta.testkit.TestSpecs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rosetta.spec.CheckedSpec;
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
    CheckedSpec spec = TestSpecs.dense3d(true);
    String dump = OnnxText.dump(OnnxLowering.lower(spec, Initializer.initialize(spec), Map.of("backend", "pytorch")));
    assertEquals(
        """
        ir_version 8
        opset ai.onnx 17
        producer rosetta
        metadata_keys backend, rosetta_spec, rosetta_version, spec_hash, spec_name
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

  /** A graph: the skip connection reads the stem's tensor, the batch norm its four tensors. */
  @Test
  void dumpShowsAResidualGraph() {
    CheckedSpec spec = TestSpecs.residual();
    String dump = OnnxText.dump(OnnxLowering.lower(spec, Initializer.initialize(spec), Map.of("backend", "pytorch")));
    assertEquals(
        """
        ir_version 8
        opset ai.onnx 17
        producer rosetta
        metadata_keys backend, rosetta_spec, rosetta_version, spec_hash, spec_name
        graph residual
          input input: float[batch, 3, 6, 6]
          output output: float[batch, 3]
          initializer stem.weight: float[4, 3, 3, 3]
          initializer stem.bias: float[4]
          initializer conv1.weight: float[4, 4, 3, 3]
          initializer bn1.weight: float[4]
          initializer bn1.bias: float[4]
          initializer bn1.running_mean: float[4]
          initializer bn1.running_var: float[4]
          initializer conv2.weight: float[4, 4, 3, 3]
          initializer conv2.bias: float[4]
          initializer fc.weight: float[3, 4]
          initializer fc.bias: float[3]
          node stem: Conv(input, stem.weight, stem.bias) -> stem.output {kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], group=1}
          node conv1: Conv(stem.output, conv1.weight) -> conv1.output {kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], group=1}
          node bn1: BatchNormalization(conv1.output, bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var) -> bn1.output {epsilon=1.0E-5, momentum=0.9}
          node relu1: Relu(bn1.output) -> relu1.output
          node conv2: Conv(relu1.output, conv2.weight, conv2.bias) -> conv2.output {kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1], group=1}
          node skip: Add(conv2.output, stem.output) -> skip.output
          node relu2: Relu(skip.output) -> relu2.output
          node gap/pool: GlobalAveragePool(relu2.output) -> gap.pooled
          node gap: Flatten(gap.pooled) -> gap.output {axis=1}
          node fc: Gemm(gap.output, fc.weight, fc.bias) -> output {transB=1}
        """,
        dump);
  }

  @Test
  void dumpIgnoresWeightValuesAndProvenanceValues() {
    CheckedSpec spec = TestSpecs.everyLayer();
    WeightSet w = Initializer.initialize(spec);
    Map<String, Tensor> other = new LinkedHashMap<>();
    w.tensors().forEach((k, t) -> other.put(k, new Tensor(t.shape(), new float[t.data().length])));
    String a = OnnxText.dump(OnnxLowering.lower(spec, w, Map.of("step", "1")));
    String b = OnnxText.dump(OnnxLowering.lower(spec, new WeightSet(other), Map.of("step", "2")));
    assertEquals(a, b);
    assertFalse(a.contains(Float.toString(w.get("fc1.weight").data()[0])));
  }
}
