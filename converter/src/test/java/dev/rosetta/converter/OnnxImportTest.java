package dev.rosetta.converter;

import static dev.rosetta.converter.TestGraph.f;
import static dev.rosetta.converter.TestGraph.i;
import static dev.rosetta.converter.TestGraph.longs;
import static dev.rosetta.converter.TestGraph.ramp;
import static dev.rosetta.converter.TestGraph.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.testkit.JavaReferenceModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer on graphs written by hand: each pattern's arithmetic (what is folded, transposed,
 * converted), each refusal's message, and the file-level cases (external data, truncation).
 * The real exporters' files are imported in the tests module, against ONNX Runtime.
 */
class OnnxImportTest {
  @TempDir Path dir;

  @Test
  void gemmFoldsTransBAlphaAndBetaIntoTheDenseWeights() throws IOException {
    float[] b = ramp(12, 0.25f); // [in 4, out 3]: transB = 0
    float[] c = {1f, -2f, 0.5f};
    Path file = new TestGraph(17).input("x", -1, 4).output("y", -1, 3)
        .floats("B", new long[] {4, 3}, b).floats("C", new long[] {3}, c)
        .node("Gemm", "/fc/Gemm", List.of("x", "B", "C"), "y", i("transB", 0), f("alpha", 2f), f("beta", 0.5f))
        .save(dir.resolve("gemm.onnx"));
    ImportedModel m = OnnxImport.read(file);
    Layer.Dense d = (Layer.Dense) m.spec().layers().get(0);
    assertEquals("fc", d.name());
    assertEquals(3, d.units());
    float[] w = m.weights().get("fc.weight").data();
    for (int o = 0; o < 3; o++) {
      for (int in = 0; in < 4; in++) {
        assertEquals(2f * b[in * 3 + o], w[o * 4 + in], "weight [" + o + ", " + in + "]");
      }
    }
    assertArrayEquals(new float[] {0.5f, -1f, 0.25f}, m.weights().get("fc.bias").data());
    float[] x = {1f, 2f, -1f, 0.5f};
    float[] y = new JavaReferenceModel(m.spec(), m.weights()).predict(x, 1);
    for (int o = 0; o < 3; o++) {
      double want = 0.5 * c[o];
      for (int in = 0; in < 4; in++) {
        want += 2.0 * x[in] * b[in * 3 + o];
      }
      assertEquals(want, y[o], 1e-5);
    }
  }

  @Test
  void gemmThatTransposesTheActivationIsRefusedNamingTheNode() throws IOException {
    Path file = new TestGraph(17).input("x", -1, 4).output("y", -1, 3)
        .floats("B", new long[] {3, 4}, ramp(12, 1f))
        .node("Gemm", "odd_gemm", List.of("x", "B"), "y", i("transA", 1), i("transB", 1))
        .save(dir.resolve("transa.onnx"));
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(file));
    assertEquals("odd_gemm", e.node());
    assertTrue(e.getMessage().contains("node 'odd_gemm' (Gemm, opset 17)") && e.getMessage().contains("transA=1"), e.getMessage());
  }

  @Test
  void matMulPlusBiasIsADenseLayerWithTheKernelTransposed() throws IOException {
    float[] k = ramp(8, 0.5f); // Keras kernel [in 4, out 2]
    Path file = new TestGraph(15).producer("tf2onnx").input("x", -1, 4).output("y", -1, 2)
        .floats("model_1/fc_1/Cast/ReadVariableOp:0", new long[] {4, 2}, k).floats("bias:0", new long[] {2}, 0.25f, -0.5f)
        .node("MatMul", "model_1/fc_1/MatMul", List.of("x", "model_1/fc_1/Cast/ReadVariableOp:0"), "mm")
        .node("Add", "model_1/fc_1/BiasAdd", List.of("mm", "bias:0"), "y")
        .save(dir.resolve("keras_dense.onnx"));
    ImportedModel m = OnnxImport.read(file);
    assertEquals(1, m.spec().layers().size());
    assertEquals("fc", m.spec().layers().get(0).name(), "tf2onnx scope names lose the model scope and Keras's _1");
    float[] w = m.weights().get("fc.weight").data();
    for (int o = 0; o < 2; o++) {
      for (int in = 0; in < 4; in++) {
        assertEquals(k[in * 2 + o], w[o * 4 + in]);
      }
    }
  }

  @Test
  void convPaddingIsSymmetricOrPytorchSameElseRefused() throws IOException {
    ImportedModel same = OnnxImport.read(conv("same.onnx", 0, 1, 1, 1));
    Layer.Conv2d c = (Layer.Conv2d) same.spec().layers().get(0);
    assertEquals(Layer.Padding.sameAsInput(), c.padding(), "pads [0, 1, 1, 1] of a 2x3 kernel are PyTorch's 'same'");
    ImportedModel explicit = OnnxImport.read(conv("explicit.onnx", 1, 1, 1, 1));
    assertEquals(Layer.Padding.explicit(1, 1), ((Layer.Conv2d) explicit.spec().layers().get(0)).padding());
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(conv("odd.onnx", 1, 0, 0, 0)));
    assertTrue(e.getMessage().contains("asymmetric padding [1, 0, 0, 0]"), e.getMessage());
    assertEquals("conv", e.node());
  }

  private Path conv(String name, long top, long left, long bottom, long right) throws IOException {
    return new TestGraph(17).input("x", -1, 1, 5, 5).output("y", -1, 2, 5, 5)
        .floats("conv.weight", new long[] {2, 1, 2, 3}, ramp(12, 0.1f))
        .node("Conv", "conv", List.of("x", "conv.weight"), "y", longs("kernel_shape", 2, 3), longs("pads", top, left, bottom, right))
        .save(dir.resolve(name));
  }

  @Test
  void batchNormMomentumIsConvertedToPytorchsConventionAndEpsilonKept() throws IOException {
    float[] ones = {1f, 1f};
    Path file = new TestGraph(17).input("x", -1, 2, 3, 3).output("y", -1, 2, 3, 3)
        .floats("bn.weight", new long[] {2}, 2f, 3f).floats("bn.bias", new long[] {2}, 0f, 1f)
        .floats("bn.running_mean", new long[] {2}, 0.5f, -0.5f).floats("bn.running_var", new long[] {2}, ones)
        .node("BatchNormalization", "bn", List.of("x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"), "y",
            f("epsilon", 1e-3f), f("momentum", 0.8f))
        .save(dir.resolve("bn.onnx"));
    Layer.BatchNorm bn = (Layer.BatchNorm) OnnxImport.read(file).spec().layers().get(0);
    assertEquals(0.2, bn.momentum(), 0.0, "ONNX's 0.8 weighs the old value: PyTorch's 0.2, as a short decimal");
    assertEquals(0.001, bn.epsilon(), 0.0);
    assertEquals(0.1, ConvPatterns.complement(0.9f), 0.0);
    assertEquals(1e-5, ConvPatterns.decimal(1e-5f), 0.0);
  }

  @Test
  void softmaxOverAnotherAxisAndReshapesAcrossTheBatchAreRefused() throws IOException {
    Path soft = new TestGraph(17).input("x", -1, 3, 4).output("y", -1, 3, 4)
        .node("Softmax", "sm", List.of("x"), "y", i("axis", 1)).save(dir.resolve("soft.onnx"));
    assertTrue(assertThrows(OnnxImportException.class, () -> OnnxImport.read(soft)).getMessage().contains("softmax over axis 1"));
    Path reshape = new TestGraph(17).input("x", -1, 4).output("y", -1).ints("shape", -1)
        .node("Reshape", "flat_all", List.of("x", "shape"), "y").save(dir.resolve("reshape.onnx"));
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(reshape));
    assertTrue(e.getMessage().contains("node 'flat_all' (Reshape, opset 17)") && e.getMessage().contains("does not keep the batch axis"), e.getMessage());
  }

  @Test
  void elementwiseArithmeticOutsideAPatternIsRefusedListingThePatterns() throws IOException {
    Path file = new TestGraph(17).input("x", -1, 4).output("y", -1, 4).floats("two", new long[0], 2f)
        .node("Mul", "double_it", List.of("x", "two"), "y").save(dir.resolve("mul.onnx"));
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(file));
    assertTrue(e.getMessage().contains("GELU (exact or tanh), SiLU, layer normalisation"), e.getMessage());
  }

  /**
   * Keras flattens NHWC: Transpose(0, 2, 3, 1) then Reshape. The spec flattens NCHW, so the dense
   * weight's columns must be reordered; the imported spec, fed the same image in NCHW, computes
   * what the file computes on it in NHWC.
   */
  @Test
  void nhwcFlattenReordersTheNextDenseWeight() throws IOException {
    int h = 2;
    int w = 3;
    int c = 2;
    int features = h * w * c;
    float[] k = ramp(features * 3, 0.125f); // [features, 3]
    Path file = new TestGraph(15).producer("tf2onnx").input("x", -1, h, w, c).output("y", -1, 3)
        .floats("kernel", new long[] {features, 3}, k).ints("flat", -1, features)
        .node("Transpose", "to_nchw", List.of("x"), "nchw", longs("perm", 0, 3, 1, 2))
        .node("Relu", "relu", List.of("nchw"), "r")
        .node("Transpose", "to_nhwc", List.of("r"), "nhwc", longs("perm", 0, 2, 3, 1))
        .node("Reshape", "flatten", List.of("nhwc", "flat"), "f")
        .node("MatMul", "fc", List.of("f", "kernel"), "y")
        .save(dir.resolve("nhwc.onnx"));
    ImportedModel m = OnnxImport.read(file);
    assertEquals(dev.rosetta.spec.Shape.of(c, h, w), m.spec().input());
    assertFalse(m.inputLayout().isIdentity());
    float[] x = ramp(features, 0.3f); // one NHWC sample
    float[] want = new float[3];
    for (int j = 0; j < features; j++) {
      for (int o = 0; o < 3; o++) {
        want[o] += Math.max(0f, x[j]) * k[j * 3 + o];
      }
    }
    float[] got = new JavaReferenceModel(m.spec(), m.weights()).predict(m.inputLayout().toCanonical(x, 1), 1);
    assertArrayEquals(want, got, 1e-5f);
  }

  @Test
  void externalDataIsReadFromBesideTheModelAndItsAbsenceNamesTheFile() throws IOException {
    float[] wv = ramp(6, 1f);
    ByteBuffer raw = ByteBuffer.allocate(wv.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(wv);
    Files.write(dir.resolve("ext.onnx.data"), raw.array());
    TensorProto weight = TensorProto.newBuilder().setName("fc.weight").setDataType(TensorProto.DataType.FLOAT.getNumber())
        .addDims(3).addDims(2).setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("ext.onnx.data"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("24")).build();
    Path file = new TestGraph(17).input("x", -1, 2).output("y", -1, 3).initializer(weight)
        .node("Gemm", "fc", List.of("x", "fc.weight"), "y", i("transB", 1)).save(dir.resolve("ext.onnx"));
    assertArrayEquals(wv, OnnxImport.read(file).weights().get("fc.weight").data());
    Files.delete(dir.resolve("ext.onnx.data"));
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(file));
    assertTrue(e.getMessage().contains("'ext.onnx.data', which is missing"), e.getMessage());
  }

  @Test
  void aTruncatedFileIsRefusedNamingIt() throws IOException {
    Path whole = new TestGraph(17).input("x", -1, 64).output("y", -1, 64)
        .floats("fc.weight", new long[] {64, 64}, ramp(64 * 64, 0.01f))
        .node("Gemm", "fc", List.of("x", "fc.weight"), "y", i("transB", 1)).save(dir.resolve("whole.onnx"));
    byte[] b = Files.readAllBytes(whole);
    Path cut = dir.resolve("cut.onnx");
    Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));
    OnnxFileException e = assertThrows(OnnxFileException.class, () -> OnnxImport.read(cut));
    assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
  }

  @Test
  void aSymbolicSampleAxisOrACustomOperatorIsRefused() throws IOException {
    Path dynamic = new TestGraph(17).input("x", -1, -1).output("y", -1, -1)
        .node("Relu", "relu", List.of("x"), "y").save(dir.resolve("dynamic.onnx"));
    OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(dynamic));
    assertTrue(e.getMessage().contains("has a dynamic axis 1 ('N'); layer sizes would depend on it"), e.getMessage());
    Path custom = new TestGraph(17).input("x", -1, 4).output("y", -1, 4).save(dir.resolve("custom.onnx"));
    ai.onnx.proto.OnnxMl.ModelProto m = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(custom));
    m = m.toBuilder().setGraph(m.getGraph().toBuilder().addNode(ai.onnx.proto.OnnxMl.NodeProto.newBuilder()
        .setOpType("FusedGelu").setDomain("com.microsoft").setName("fused").addInput("x").addOutput("y"))).build();
    Files.write(custom, m.toByteArray());
    OnnxImportException c = assertThrows(OnnxImportException.class, () -> OnnxImport.read(custom));
    assertTrue(c.getMessage().contains("node 'fused' (FusedGelu, opset 17)") && c.getMessage().contains("custom operator of domain 'com.microsoft'"), c.getMessage());
  }

  @Test
  void geluOperatorAndItsTanhFormAtOpset20() throws IOException {
    Path file = new TestGraph(20).input("x", -1, 4).output("y", -1, 4)
        .node("Gelu", "act", List.of("x"), "y", s("approximate", "tanh")).save(dir.resolve("gelu.onnx"));
    Layer.Gelu g = (Layer.Gelu) OnnxImport.read(file).spec().layers().get(0);
    assertEquals(Layer.Gelu.Approximation.TANH, g.approximate());
  }

  @Test
  void namesComeFromParameterPathsThenModulePaths() {
    assertEquals("b_conv2", LayerNames.fromNode("/b/conv2/Conv", false));
    assertEquals("", LayerNames.fromNode("/Relu_1", false));
    assertEquals("conv1", LayerNames.fromNode("keras_cnn_1/conv1_1/BiasAdd", true));
    assertEquals("relu", LayerNames.fromNode("node_relu", false));
    assertEquals("gelu1", LayerNames.fromNode("gelu1", false));
    assertEquals("input_layer", LayerNames.sanitize("input"));
    assertEquals("l0_conv", LayerNames.sanitize("0.conv"));
  }

  @Test
  void anImportWritesACheckpointAndTheSpec() throws IOException {
    Path file = new TestGraph(17).input("x", -1, 4).output("y", -1, 3)
        .floats("fc.weight", new long[] {3, 4}, ramp(12, 1f))
        .node("Gemm", "fc", List.of("x", "fc.weight"), "y", i("transB", 1)).save(dir.resolve("w.onnx"));
    ImportedModel m = OnnxImport.read(file, "named");
    Path out = dir.resolve("out");
    OnnxImport.write(m, out);
    assertEquals(SpecJson.write(m.spec()), Files.readString(out.resolve(OnnxImport.SPEC_FILE)));
    var ckpt = dev.rosetta.checkpoint.Checkpoint.load(out.resolve(OnnxImport.WEIGHTS_FILE), m.spec());
    assertEquals(m.weights(), ckpt.weights());
    assertEquals(OnnxImport.PROVENANCE_BACKEND, ckpt.backend());
    assertEquals("named", m.spec().name());
    assertTrue(m.table().contains("'fc' (Gemm)") && m.table().contains("-> fc: dense"), m.table());
  }
}
