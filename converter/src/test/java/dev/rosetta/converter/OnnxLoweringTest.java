package dev.rosetta.converter;

import dev.rosetta.testkit.TestSpecs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import dev.rosetta.RosettaVersion;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OnnxLoweringTest {

  static ModelProto lower(CheckedSpec spec) {
    return OnnxLowering.lower(spec, Initializer.initialize(spec), TestSpecs.PROVENANCE);
  }

  static List<String> ops(ModelProto m) {
    return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
  }

  static NodeProto node(ModelProto m, String name) {
    return m.getGraph().getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
  }

  static long intAttr(NodeProto n, String name) {
    AttributeProto a = n.getAttributeList().stream().filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
    assertEquals(AttributeProto.AttributeType.INT, a.getType());
    return a.getI();
  }

  @Test
  void everyLayerKindLowersToItsOperatorAndDropoutToNothing() {
    ModelProto m = lower(TestSpecs.everyLayer());
    // The whole op list is the golden dump's to pin; here what each kind becomes.
    assertEquals("BatchNormalization", node(m, "bn1").getOpType());
    assertEquals("LayerNormalization", node(m, "ln1").getOpType());
    assertEquals("Concat", node(m, "cat").getOpType());
    assertEquals("Add", node(m, "sum").getOpType());
    assertEquals("Elu", node(m, "elu1").getOpType());
    assertEquals(1, intAttr(node(m, "flat"), "axis"));
    assertEquals(-1, intAttr(node(m, "probs"), "axis"));
    assertEquals(1, intAttr(node(m, "fc1"), "transB"));
    // fc1 has no bias: Gemm gets no C input. fc2 reads relu1's output directly: drop1 left no trace.
    assertEquals(List.of("flat.output", "fc1.weight"), node(m, "fc1").getInputList());
    assertEquals(List.of("relu1.output", "fc2.weight", "fc2.bias"), node(m, "fc2").getInputList());
    assertTrue(m.getGraph().getNodeList().stream().noneMatch(n -> n.getName().startsWith("drop1")));
    // The last node writes the graph output.
    assertEquals(List.of(OnnxLowering.OUTPUT), node(m, "probs").getOutputList());
  }

  static AttributeProto attr(NodeProto n, String name) {
    return n.getAttributeList().stream().filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void activationsCarryTheirParametersAsAttributes() {
    ModelProto m = lower(TestSpecs.everyLayer());
    assertEquals(0.01f, attr(node(m, "leaky1"), "alpha").getF());
    assertEquals(0.5f, attr(node(m, "elu1"), "alpha").getF());
    // Parameter-free layers add no initialisers: only the spec's parameters are in the file.
    List<String> params = TestSpecs.everyLayer().params().stream().map(p -> p.name()).toList();
    assertEquals(params, m.getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
  }

  @Test
  void geluIsTheExactErfFormAndReshapeGetsTheInferredShape() {
    ModelProto m = lower(TestSpecs.everyLayer());
    // x * 0.5 * (1 + erf(x / sqrt(2))), both Muls reading the activation that enters gelu1.
    assertEquals(List.of("grid.output", "gelu1.inv_sqrt2"), node(m, "gelu1/scale").getInputList());
    assertEquals((float) (1 / Math.sqrt(2)), attr(node(m, "gelu1/inv_sqrt2"), "value").getT().getFloatData(0));
    assertEquals(0.5f, attr(node(m, "gelu1/half"), "value").getT().getFloatData(0));
    assertEquals(1f, attr(node(m, "gelu1/one"), "value").getT().getFloatData(0));
    assertEquals(List.of("gelu1.erf", "gelu1.one"), node(m, "gelu1/add_one").getInputList());
    assertEquals(List.of("grid.output", "gelu1.half"), node(m, "gelu1/half_x").getInputList());
    assertEquals(List.of("gelu1.half_x", "gelu1.erf_plus_one"), node(m, "gelu1").getInputList());
    // The tanh form: (x + x^3 * 0.044715) * sqrt(2/pi), tanh, then the same 0.5 x (1 + .).
    assertEquals(0.044715f, attr(node(m, "gelu2/kappa"), "value").getT().getFloatData(0));
    assertEquals((float) Math.sqrt(2 / Math.PI), attr(node(m, "gelu2/beta"), "value").getT().getFloatData(0));
    assertEquals("Tanh", node(m, "gelu2/tanh").getOpType());
    assertEquals(List.of("gelu2.half_x", "gelu2.tanh_plus_one"), node(m, "gelu2").getInputList());
    // SiLU is x * Sigmoid(x).
    assertEquals(List.of("gelu1.output"), node(m, "silu1/sigmoid").getInputList());
    assertEquals(List.of("gelu1.output", "silu1.sigmoid"), node(m, "silu1").getInputList());
    // [-1, 5, 1] on a [2, 3, 5] sample: the file carries the resolved [6, 5, 1] behind a copied batch.
    TensorProto shape = attr(node(m, "grid/shape"), "value").getT();
    assertEquals(TensorProto.DataType.INT64.getNumber(), shape.getDataType());
    assertEquals(List.of(0L, 6L, 5L, 1L), shape.getInt64DataList());
    assertEquals(List.of("tanh1.output", "grid.shape"), node(m, "grid").getInputList());
  }

  @Test
  void conv2dWritesPerSidePadsAndReadsTheCanonicalWeight() {
    ModelProto m = lower(TestSpecs.everyLayer());
    NodeProto conv = node(m, "conv1");
    assertEquals(List.of("input", "conv1.weight", "conv1.bias"), conv.getInputList());
    assertEquals(List.of(2L, 3L), attr(conv, "kernel_shape").getIntsList());
    assertEquals(List.of(1L, 1L), attr(conv, "strides").getIntsList());
    // "same" with a [2, 3] kernel: height pads 0 on top and 1 at the bottom (PyTorch's split),
    // width 1 and 1; ONNX order is [top, left, bottom, right].
    assertEquals(List.of(0L, 1L, 1L, 1L), attr(conv, "pads").getIntsList());
    assertEquals(List.of(1L, 1L), attr(conv, "dilations").getIntsList());
    assertEquals(2, intAttr(conv, "group"));
    assertEquals(List.of("conv1.output", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"),
        node(m, "bn1").getInputList());
  }

  @Test
  void poolsWriteTheirWindowsAndTheGlobalPoolIsFlattenedToChannels() {
    ModelProto m = lower(TestSpecs.everyLayer());
    NodeProto max = node(m, "pool1");
    assertEquals("MaxPool", max.getOpType());
    assertEquals(List.of(3L, 3L), attr(max, "kernel_shape").getIntsList());
    assertEquals(List.of(1L, 1L), attr(max, "strides").getIntsList());
    assertEquals(List.of(1L, 1L, 1L, 1L), attr(max, "pads").getIntsList());
    // A padded average counts the zeros (PyTorch's count_include_pad): a depthwise Conv with a
    // constant 1/6 kernel, per-side pads [top, left, bottom, right].
    NodeProto avg = node(m, "pool2");
    assertEquals("Conv", avg.getOpType());
    assertEquals(List.of(3L, 2L), attr(avg, "kernel_shape").getIntsList());
    assertEquals(List.of(1L, 0L, 1L, 0L), attr(avg, "pads").getIntsList());
    assertEquals(2, intAttr(avg, "group"));
    assertEquals(List.of("sum.output", "pool2.kernel"), avg.getInputList());
    TensorProto kernel = attr(node(m, "pool2/kernel"), "value").getT();
    assertEquals(List.of(2L, 1L, 3L, 2L), kernel.getDimsList());
    assertEquals(java.util.Collections.nCopies(12, 1f / 6), kernel.getFloatDataList());
    // Unpadded, it is AveragePool itself.
    ModelProto plain = lower(ModelSpec.builder().setInput(2, 4, 4).avgPool2d("avg", 2)
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build());
    assertEquals(List.of("AveragePool"), ops(plain));
    assertEquals(List.of(2L, 2L), attr(node(plain, "avg"), "strides").getIntsList());
    assertEquals(List.of("pool2.output"), node(m, "proj/matmul").getInputList().subList(0, 1));
    assertEquals(List.of("silu1.output"), node(m, "gap/pool").getInputList());
    assertEquals(List.of("gap.pooled"), node(m, "gap").getInputList());
    assertEquals(1, intAttr(node(m, "gap"), "axis"));
    assertEquals(List.of("cat.output"), node(m, "flat").getInputList());
  }

  @Test
  void denseUsesGemmOnMatricesAndMatMulOnHigherRanks() {
    ModelProto flat = lower(TestSpecs.dense2d(true));
    assertEquals(List.of("Gemm"), ops(flat));
    assertEquals(List.of("input", "fc.weight", "fc.bias"), node(flat, "fc").getInputList());

    ModelProto withBias = lower(TestSpecs.dense3d(true));
    assertEquals(List.of("Transpose", "MatMul", "Add"), ops(withBias));
    NodeProto t = node(withBias, "fc/transpose_weight");
    assertEquals(List.of("fc.weight"), t.getInputList());
    assertEquals(List.of(1L, 0L), t.getAttribute(0).getIntsList());
    assertEquals(List.of("input", "fc.weight_transposed"), node(withBias, "fc/matmul").getInputList());
    assertEquals(List.of("fc.matmul", "fc.bias"), node(withBias, "fc/add_bias").getInputList());
    assertEquals(List.of("output"), node(withBias, "fc/add_bias").getOutputList());

    ModelProto noBias = lower(TestSpecs.dense3d(false));
    assertEquals(List.of("Transpose", "MatMul"), ops(noBias));
    assertEquals(List.of("output"), node(noBias, "fc/matmul").getOutputList());
  }

  @Test
  void batchAxisIsSymbolicOnInputAndOutput() {
    ModelProto m = lower(TestSpecs.dense3d(true));
    var in = m.getGraph().getInput(0);
    var out = m.getGraph().getOutput(0);
    assertEquals("input", in.getName());
    assertEquals("output", out.getName());
    List<TensorShapeProto.Dimension> inDims = in.getType().getTensorType().getShape().getDimList();
    List<TensorShapeProto.Dimension> outDims = out.getType().getTensorType().getShape().getDimList();
    assertEquals("batch", inDims.get(0).getDimParam());
    assertFalse(inDims.get(0).hasDimValue());
    assertEquals(List.of(3L, 4L), inDims.subList(1, 3).stream().map(TensorShapeProto.Dimension::getDimValue).toList());
    assertEquals("batch", outDims.get(0).getDimParam());
    assertEquals(List.of(3L, 6L), outDims.subList(1, 3).stream().map(TensorShapeProto.Dimension::getDimValue).toList());
    assertEquals(TensorProto.DataType.FLOAT.getNumber(), in.getType().getTensorType().getElemType());
  }

  @Test
  void initializersCarryCanonicalNamesShapesAndLittleEndianValues() {
    CheckedSpec spec = TestSpecs.everyLayer();
    WeightSet w = Initializer.initialize(spec);
    ModelProto m = OnnxLowering.lower(spec, w, Map.of());
    assertEquals(List.copyOf(w.names()), m.getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
    for (TensorProto t : m.getGraph().getInitializerList()) {
      Tensor want = w.get(t.getName());
      assertEquals(List.of(want.shape().dimsLong()[0]), t.getDimsList().subList(0, 1));
      assertArrayEquals(want.shape().dimsLong(), t.getDimsList().stream().mapToLong(Long::longValue).toArray());
      assertEquals(TensorProto.DataType.FLOAT.getNumber(), t.getDataType());
      assertEquals(0, t.getFloatDataCount(), "values travel in raw_data only");
      float[] got = new float[want.data().length];
      ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
      assertArrayEquals(want.data(), got, t.getName());
    }
  }

  @Test
  void irVersionFollowsTheOpset() {
    Map<Integer, Long> want = new LinkedHashMap<>();
    for (int o = 13; o <= 22; o++) {
      want.put(o, o <= 14 ? 7L : o <= 18 ? 8L : o <= 20 ? 9L : 10L);
    }
    CheckedSpec spec = TestSpecs.dense2d(true);
    WeightSet w = Initializer.initialize(spec);
    Map<Integer, Long> got = new LinkedHashMap<>();
    for (int o = 13; o <= 22; o++) {
      ModelProto m = OnnxLowering.lower(spec, w, Map.of(), o);
      got.put(o, m.getIrVersion());
      assertEquals(1, m.getOpsetImportCount());
      assertEquals("", m.getOpsetImport(0).getDomain());
      assertEquals(o, m.getOpsetImport(0).getVersion());
    }
    assertEquals(want, got);
    ModelProto byDefault = OnnxLowering.lower(spec, w, Map.of());
    assertEquals(17, byDefault.getOpsetImport(0).getVersion());
    assertEquals(8, byDefault.getIrVersion());
    for (int bad : new int[] {12, 23}) {
      var e = assertThrows(IllegalArgumentException.class, () -> OnnxLowering.lower(spec, w, Map.of(), bad));
      assertTrue(e.getMessage().contains("opset " + bad + " is not supported: choose 13..22"), e.getMessage());
    }
  }

  @Test
  void provenanceTravelsInMetadataAndSpecFieldsComeFromTheSpec() {
    CheckedSpec spec = TestSpecs.seedMlp();
    Map<String, String> given = new LinkedHashMap<>(TestSpecs.PROVENANCE);
    given.put("spec_hash", "stale");
    ModelProto m = OnnxLowering.lower(spec, Initializer.initialize(spec), given);
    Map<String, String> meta =
        m.getMetadataPropsList().stream().collect(Collectors.toMap(e -> e.getKey(), e -> e.getValue()));
    assertEquals(SpecJson.hash(spec), meta.get("spec_hash"));
    assertEquals(64, meta.get("spec_hash").length());
    assertEquals("seed-mlp", meta.get("spec_name"));
    assertEquals(RosettaVersion.VERSION, meta.get("rosetta_version"));
    assertEquals("pytorch", meta.get("backend"));
    assertEquals("{\"djl\":\"0.36.0\",\"pytorch\":\"2.7.1\"}", meta.get("versions"));
    assertEquals("42", meta.get("seed"));
    assertEquals("7", meta.get("step"));
    assertEquals("rosetta", m.getProducerName());
    assertEquals(RosettaVersion.VERSION, m.getProducerVersion());
    assertEquals("seed-mlp", m.getGraph().getName());
  }

  @Test
  void aModelOfOnlyDropoutStillWritesItsOutput() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(5).dropout("d", 0.5)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    ModelProto m = lower(spec);
    assertEquals(List.of("Identity"), ops(m));
    assertEquals(List.of("input"), m.getGraph().getNode(0).getInputList());
    assertEquals(List.of("output"), m.getGraph().getNode(0).getOutputList());
  }

  @Test
  void trailingDropoutLeavesThePreviousNodeWritingTheOutput() {
    CheckedSpec spec =
        ModelSpec.builder().setInput(5).dense("fc", 2).dropout("d", 0.5)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    ModelProto m = lower(spec);
    assertEquals(List.of("output"), node(m, "fc").getOutputList());
  }

  @Test
  void weightsThatDoNotFitTheSpecAreRefusedWithEveryDifference() {
    CheckedSpec spec = TestSpecs.dense2d(true);
    Map<String, Tensor> t = new LinkedHashMap<>(Initializer.initialize(spec).tensors());
    t.put("fc.weight", new Tensor(dev.rosetta.spec.Shape.of(3, 5), new float[15]));
    t.remove("fc.bias");
    var e = assertThrows(WeightSet.WeightMismatchException.class, () -> OnnxLowering.lower(spec, new WeightSet(t), Map.of()));
    assertTrue(e.getMessage().contains("tensor 'fc.weight' has shape [3, 5] but the spec needs [3, 4]"), e.getMessage());
    assertTrue(e.getMessage().contains("missing tensor 'fc.bias'"), e.getMessage());
  }

  static float floatAttr(NodeProto n, String name) {
    AttributeProto a = attr(n, name);
    assertEquals(AttributeProto.AttributeType.FLOAT, a.getType());
    return a.getF();
  }

  @Test
  void batchNormIsInferenceFormBatchNormalizationOverTheRunningStatistics() {
    ModelProto m = lower(TestSpecs.bnCnn());
    NodeProto bn = node(m, "bn1");
    assertEquals("BatchNormalization", bn.getOpType());
    // ONNX order: X, scale, B, input_mean, input_var; the canonical tensors under their own names.
    assertEquals(List.of("conv1.output", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"), bn.getInputList());
    assertEquals(List.of("bn1.output"), bn.getOutputList(), "Y only: no training outputs");
    // epsilon is a float attribute: 1e-5 travels as the nearest float.
    assertEquals(1e-5f, floatAttr(bn, "epsilon"));
    assertEquals(1e-3f, floatAttr(node(m, "bn2"), "epsilon"));
    // ONNX momentum weighs the old statistic (Keras's convention): 1 - the IR's.
    assertEquals(0.9f, floatAttr(bn, "momentum"));
    assertEquals(0.8f, floatAttr(node(m, "bn2"), "momentum"));
    assertTrue(bn.getAttributeList().stream().noneMatch(a -> a.getName().equals("training_mode")));
    // The buffers are initialisers like the parameters: every tensor of the weight set, in order.
    WeightSet w = Initializer.initialize(TestSpecs.bnCnn());
    assertEquals(List.copyOf(w.names()), m.getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
    // Rank 2 takes the same node.
    assertEquals(List.of("fc1.output", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"),
        node(lower(TestSpecs.bnMlp()), "bn1").getInputList());
  }

  @Test
  void layerNormIsLayerNormalizationFromOpset17() {
    CheckedSpec spec = TestSpecs.layerNorms();
    for (int opset = 17; opset <= OnnxOpset.MAX; opset++) {
      ModelProto m = OnnxLowering.lower(spec, Initializer.initialize(spec), Map.of(), opset);
      NodeProto ln1 = node(m, "ln1");
      assertEquals("LayerNormalization", ln1.getOpType());
      assertEquals(List.of("input", "ln1.weight", "ln1.bias"), ln1.getInputList());
      assertEquals(List.of("ln1.output"), ln1.getOutputList(), "Y only: no Mean or InvStdDev");
      // axes 3 on [batch, 2, 3, 4] starts at axis -3, i.e. 1: the batch axis is never normalised.
      assertEquals(-3, intAttr(ln1, "axis"));
      assertEquals(1e-5f, floatAttr(ln1, "epsilon"));
      assertEquals(-1, intAttr(node(m, "ln2"), "axis"));
      assertEquals(1e-3f, floatAttr(node(m, "ln3"), "epsilon"));
    }
  }

  @Test
  void layerNormIsSpelledOutBelowOpset17() {
    CheckedSpec spec = TestSpecs.layerNorms();
    for (int opset = OnnxOpset.MIN; opset < 17; opset++) {
      ModelProto m = OnnxLowering.lower(spec, Initializer.initialize(spec), Map.of(), opset);
      assertTrue(ops(m).stream().noneMatch(op -> op.equals("LayerNormalization")), "opset " + opset);
      assertEquals(
          List.of("Constant", "ReduceMean", "Sub", "Mul", "ReduceMean", "Add", "Sqrt", "Div", "Mul", "Add"),
          ops(m).subList(0, 10));
      // ReduceMean takes its axes as an attribute before opset 18: the last three, kept for broadcasting.
      NodeProto mean = node(m, "ln1/mean");
      assertEquals(List.of("input"), mean.getInputList());
      assertEquals(List.of(-3L, -2L, -1L), attr(mean, "axes").getIntsList());
      assertEquals(1, intAttr(mean, "keepdims"));
      assertEquals(List.of(-1L), attr(node(m, "ln2/variance"), "axes").getIntsList());
      assertEquals(List.of("ln1.centered", "ln1.std"), node(m, "ln1/normalize").getInputList());
      assertEquals(List.of("ln1.normalized", "ln1.weight"), node(m, "ln1/scale").getInputList());
      assertEquals(List.of("ln1.scaled", "ln1.bias"), node(m, "ln1").getInputList());
      assertEquals(1e-5f, attr(node(m, "ln1/epsilon"), "value").getT().getFloatData(0));
      // Only the spec's parameters become initialisers; epsilon is a Constant node.
      assertEquals(List.copyOf(Initializer.initialize(spec).names()),
          m.getGraph().getInitializerList().stream().map(TensorProto::getName).toList());
    }
  }

  @Test
  void joinsReadTheTensorsTheirLayersNameAndConcatSkipsTheBatchAxis() {
    ModelProto res = lower(TestSpecs.residual());
    assertEquals(List.of("conv2.output", "stem.output"), node(res, "skip").getInputList());
    assertEquals("Add", node(res, "skip").getOpType());
    // The stem's output feeds both the block and the skip connection.
    assertEquals(List.of("stem.output", "conv1.weight"), node(res, "conv1").getInputList());

    ModelProto m = lower(TestSpecs.branches());
    assertEquals(List.of("input", "a.weight", "a.bias"), node(m, "a").getInputList());
    assertEquals(List.of("input", "b.weight", "b.bias"), node(m, "b").getInputList());
    assertEquals(List.of("a.output", "b.output"), node(m, "channels").getInputList());
    assertEquals(1, intAttr(node(m, "channels"), "axis"));
    assertEquals(List.of("channels.output", "channels.output"), node(m, "wide").getInputList());
    assertEquals(3, intAttr(node(m, "wide"), "axis"));
    // -1 on a [5] sample is sample axis 0, ONNX axis 1.
    assertEquals(1, intAttr(node(m, "both"), "axis"));
    assertEquals(List.of("gap.output", "q.weight", "q.bias"), node(m, "q").getInputList());
    // Three inputs: a left-to-right chain of Adds, the last one named after the layer.
    assertEquals(List.of("gap.output", "p.output"), node(m, "sum/add1").getInputList());
    assertEquals(List.of("sum.partial1", "q.output"), node(m, "sum").getInputList());
    assertEquals(List.of("sum.output", "p.output"), node(m, "both").getInputList());
    assertEquals(List.of("output"), node(m, "fc").getOutputList());
  }

  @Test
  void aTrailingDropoutOfATensorOthersReadIsCopiedToTheOutput() {
    // d is the output and reads fc, which the add reads too: fc's output cannot be renamed.
    ModelProto m = lower(TestSpecs.dropoutOfASharedTensor());
    assertEquals(List.of("fc.output"), node(m, "fc").getOutputList());
    assertEquals(List.of("fc.output", "input"), node(m, "sum").getInputList());
    NodeProto copy = node(m, "output_identity");
    assertEquals("Identity", copy.getOpType());
    assertEquals(List.of("fc.output"), copy.getInputList());
    assertEquals(List.of("output"), copy.getOutputList());
    // A trailing dropout of the model input, after other layers, is copied too.
    CheckedSpec ofInput =
        ModelSpec.builder().setInput(4).dense("fc", 4).add(new Layer.Dropout("d", 0.5), ModelSpec.INPUT)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    assertEquals(List.of("input"), node(lower(ofInput), "output_identity").getInputList());
  }

  /**
   * Guards the visitor: a layer kind the lowering misses would not compile, this keeps the test
   * specs honest. The single-input kinds are in the every-layer stack; the norm and join kinds
   * in the graph specs.
   */
  @Test
  void everyDeclaredLayerTypeAppearsInTheTestSpecs() {
    var types = new java.util.HashSet<String>();
    for (CheckedSpec spec : java.util.stream.Stream.concat(
        java.util.stream.Stream.of(TestSpecs.everyLayer(), TestSpecs.everySequenceLayer()), TestSpecs.normsAndGraphs().stream()).toList()) {
      spec.layers().forEach(l -> types.add(l.type()));
    }
    assertEquals(new java.util.TreeSet<>(dev.rosetta.spec.Kinds.layers().names()), new java.util.TreeSet<>(types));
  }
}
