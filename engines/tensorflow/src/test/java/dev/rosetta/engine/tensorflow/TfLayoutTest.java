package dev.rosetta.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;

/**
 * The conv stack runs channels-last from its first convolution to the first layer that needs
 * the IR's order, and pads with TF's SAME where that is PyTorch's padding. That the numbers
 * stay PyTorch's is the parity suite's job (fashion-cnn and resnet-mini, both backends); this
 * counts the layout changes and pads the graph holds, which is what the rewrite removed.
 */
class TfLayoutTest {

  /**
   * Three input channels (so the first change is a real transpose), a residual join of two
   * channels-last branches, dropout on a channels-last activation, then flatten and dense.
   */
  private static final String SPEC = """
      {"format": "rosetta/v1", "name": "layout", "input": {"shape": [3, 8, 8]},
       "layers": [
         {"type": "conv2d", "name": "c1", "filters": 4, "kernel": 3, "padding": 1, "bias": false},
         {"type": "batch_norm", "name": "bn1"},
         {"type": "gelu", "name": "g1"},
         {"type": "conv2d", "name": "c2", "filters": 4, "kernel": 3, "padding": "same"},
         {"type": "add", "name": "sum", "inputs": ["c2", "g1"]},
         {"type": "max_pool2d", "name": "pool", "kernel": 2},
         {"type": "conv2d", "name": "down", "filters": 8, "kernel": 3, "stride": 2, "padding": 1},
         {"type": "dropout", "name": "drop", "rate": 0.5},
         {"type": "flatten", "name": "flat"},
         {"type": "dense", "name": "fc", "units": 3}
       ],
       "loss": {"type": "cross_entropy"},
       "optimizer": {"type": "sgd", "learning_rate": 0.1}}
      """;

  @Test
  void convStackChangesLayoutOnlyAtItsEnds() {
    CheckedSpec spec = SpecJson.parse(SPEC, "layout test");
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
      // Each forward pass: the input into NHWC, three OIHW kernels viewed HWIO, and the
      // activation back to NCHW for flatten. The training pass also turns the dropout mask
      // (fed in the IR's order). Before the rewrite each conv and pool turned its input and
      // its output: 11 per pass.
      assertEquals(5, ops(m, "eval/", "Transpose").size(), () -> "eval: " + ops(m, "eval/", "Transpose"));
      assertEquals(6, ops(m, "train/", "Transpose").size(), () -> "train: " + ops(m, "train/", "Transpose"));
      // Stride-1 3x3 convolutions with one pixel each side are TF's SAME; the stride-2 one
      // pads 1 before and after, where SAME would pad 0 and 1, so it keeps its explicit Pad.
      List<String> pads = ops(m, "eval/", "PadV2");
      assertEquals(List.of("eval/down/Pad"), pads);
    }
  }

  @Test
  void channelsLastLayerOutputsAreTheIrsOnceTurnedBack() {
    // A conv net whose output is the image itself: the model output must come back NCHW.
    CheckedSpec spec = SpecJson.parse("""
        {"format": "rosetta/v1", "name": "image-out", "input": {"shape": [2, 3, 4]},
         "layers": [{"type": "conv2d", "name": "c", "filters": 2, "kernel": 1, "bias": false}],
         "loss": {"type": "mse"}, "optimizer": {"type": "sgd", "learning_rate": 0.1}}
        """, "image output");
    // Identity kernel: output channel o = input channel o.
    WeightSet w = new WeightSet(Map.of("c.weight", new Tensor(Shape.of(2, 2, 1, 1), new float[] {1, 0, 0, 1})));
    float[] x = new float[24];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, w)) {
      assertArrayEquals(x, m.predict(x, 1));
    }
  }

  @Test
  void onlyTheTrainingPassCarriesHandWrittenGradients() {
    CheckedSpec spec = SpecJson.parse(SPEC, "layout test");
    try (TensorflowModel m = new TensorflowBackend().createModel(spec, Initializer.initialize(spec))) {
      // Batch norm and GELU in the training pass; evaluation (and so inference) has no markers.
      assertEquals(List.of("train/bn1/batch_norm_gradient", "train/g1/gelu_exact_gradient"),
          ops(m, "train/", "IdentityN"));
      assertEquals(List.of(), ops(m, "eval/", "IdentityN"));
    }
  }

  @Test
  void tfSamePadsTheOddExtraAfter() {
    assertArrayEquals(new int[] {1, 1}, TfConv2d.tfSame(28, 3, 1));
    assertArrayEquals(new int[] {0, 1}, TfConv2d.tfSame(28, 3, 2));
    assertArrayEquals(new int[] {1, 2}, TfConv2d.tfSame(7, 4, 1));
    assertArrayEquals(new int[] {0, 0}, TfConv2d.tfSame(8, 1, 2));
  }

  private static List<String> ops(TensorflowModel m, String scope, String type) {
    Predicate<GraphOperation> wanted = op -> op.type().equals(type) && op.name().startsWith(scope);
    List<String> names = new ArrayList<>();
    m.graph().operations().forEachRemaining(op -> {
      if (wanted.test((GraphOperation) op)) {
        names.add(op.name());
      }
    });
    return names;
  }
}
