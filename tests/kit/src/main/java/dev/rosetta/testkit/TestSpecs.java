package dev.rosetta.testkit;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The specs every module's tests share, each written once. */
public final class TestSpecs {
  private TestSpecs() {}

  public static final Map<String, String> PROVENANCE =
      Map.of("backend", "pytorch", "versions", "{\"djl\":\"0.36.0\",\"pytorch\":\"2.7.1\"}", "seed", "42", "step", "7");

  /** The seed MLP: 784 -> 128 -> relu -> 64 -> relu -> 10. */
  public static CheckedSpec seedMlp() {
    return ModelSpec.builder().optName("seed-mlp").setInput(784)
        .dense("fc1", 128).relu("relu1").dense("fc2", 64).relu("relu2").dense("fc3", 10)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.01))
        .optTraining(1, 64, 42, true).build();
  }

  /**
   * Every layer kind at least once, in one graph (branches and joins included): the spec the
   * ONNX golden dump, the reference-model checks and the coverage guards use. Read from {@code
   * every-layer.json} beside this class.
   */
  public static CheckedSpec everyLayer() {
    return SpecJson.parse(everyLayerJson(), "every-layer.json");
  }

  /** The text of {@link #everyLayer()}, for tests that hand a file to the command line. */
  public static String everyLayerJson() {
    return resourceText("every-layer.json");
  }

  /**
   * A small MLP with dropout on 4 features and 3 classes: the backend contract's model.
   */
  public static CheckedSpec mlp(Optimizer opt) {
    return ModelSpec.builder()
        .setInput(4)
        .dense("fc1", 16)
        .relu("relu1")
        .dropout("drop1", 0.2)
        .dense("fc2", 3)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(opt)
        .optTraining(5, 16, 7, true)
        .build();
  }

  private static String resourceText(String name) {
    try (InputStream in = TestSpecs.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Convolutions with every option away from its default: [3, 2] kernel, stride [2, 1],
   * padding [1, 2], dilation [1, 2], 2 groups, no bias; then "same" with an even kernel; then
   * a strided padded max pool and a padded avg pool.
   */
  public static CheckedSpec convolutions() {
    return ModelSpec.builder().optName("convolutions").setInput(4, 7, 6)
        .add(new Layer.Conv2d("conv1", 6, new Layer.Hw(3, 2), new Layer.Hw(2, 1), Layer.Padding.explicit(1, 2),
            new Layer.Hw(1, 2), 2, false, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .add(new Layer.Conv2d("conv2", 3, Layer.Hw.of(2), Layer.Hw.of(1), Layer.Padding.sameAsInput(),
            Layer.Hw.of(1), 1, true, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .add(new Layer.MaxPool2d("pool1", new Layer.Hw(3, 2), new Layer.Hw(2, 1), new Layer.Hw(1, 1)))
        .add(new Layer.AvgPool2d("pool2", Layer.Hw.of(2), Layer.Hw.of(1), Layer.Hw.of(1)))
        .flatten("flat").dense("fc", 4)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }

  public static CheckedSpec dense3d(boolean bias) {
    return ModelSpec.builder().optName("dense3d").setInput(3, 4)
        .add(new Layer.Dense("fc", 6, bias, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }

  public static CheckedSpec dense2d(boolean bias) {
    return ModelSpec.builder().optName("dense2d").setInput(4)
        .add(new Layer.Dense("fc", 3, bias, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }

  /** A CNN with batch norm after each conv, on [3, 8, 8]: the rank-4 BatchNormalization path. */
  public static CheckedSpec bnCnn() {
    return ModelSpec.builder().optName("bn-cnn").setInput(3, 8, 8)
        .add(new Layer.Conv2d("conv1", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(),
            Layer.Hw.of(1), 1, false, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .batchNorm("bn1").relu("relu1").maxPool2d("pool1", 2)
        .conv2d("conv2", 6, 3)
        .add(new Layer.BatchNorm("bn2", 0.2, 1e-3))
        .relu("relu2").flatten("flat").dense("fc", 5)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1))
        .optTraining(1, 8, 5, true).build();
  }

  /** An MLP with batch norm on [batch, features]: the rank-2 BatchNormalization path. */
  public static CheckedSpec bnMlp() {
    return ModelSpec.builder().optName("bn-mlp").setInput(10)
        .dense("fc1", 16).batchNorm("bn1").relu("relu1")
        .dense("fc2", 8).add(new Layer.BatchNorm("bn2", 0.01, 0.1)).tanh("tanh1")
        .dense("fc3", 3)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1))
        .optTraining(1, 8, 6, true).build();
  }

  /**
   * Layer norms over the last three axes of a [2, 3, 4] sample (every sample axis) and over
   * the last one after a dense on the last axis.
   */
  public static CheckedSpec layerNorms() {
    return ModelSpec.builder().optName("layer-norms").setInput(2, 3, 4)
        .add(new Layer.LayerNorm("ln1", 3, 1e-5))
        .dense("proj", 5)
        .layerNorm("ln2")
        .gelu("gelu1")
        .flatten("flat")
        .add(new Layer.LayerNorm("ln3", 1, 1e-3))
        .dense("fc", 4)
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Adam(0.01))
        .optTraining(1, 8, 7, true).build();
  }

  /**
   * A residual block: stem conv, then conv -> batch_norm -> relu -> conv, plus the block input
   * (the stem's output), relu, global average pool, dense.
   */
  public static CheckedSpec residual() {
    Layer.Padding same = Layer.Padding.sameAsInput();
    return ModelSpec.builder().optName("residual").setInput(3, 6, 6)
        .add(new Layer.Conv2d("stem", 4, Layer.Hw.of(3), Layer.Hw.of(1), same, Layer.Hw.of(1), 1, true,
            Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .add(new Layer.Conv2d("conv1", 4, Layer.Hw.of(3), Layer.Hw.of(1), same, Layer.Hw.of(1), 1, false,
            Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .batchNorm("bn1").relu("relu1")
        .add(new Layer.Conv2d("conv2", 4, Layer.Hw.of(3), Layer.Hw.of(1), same, Layer.Hw.of(1), 1, true,
            Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .addOf("skip", "conv2", "stem")
        .relu("relu2").globalAvgPool2d("gap").dense("fc", 3)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1))
        .optTraining(1, 8, 8, true).build();
  }

  /**
   * Branches and joins: two convs read the model input and are concatenated on channels, the
   * result with itself on width (the last axis); after the pool, two dense branches are summed
   * with their input (a three-way add) and concatenated with one of them on features (-1).
   */
  public static CheckedSpec branches() {
    return ModelSpec.builder().optName("branches").setInput(3, 5, 5)
        .add(new Layer.Conv2d("a", 2, 1), ModelSpec.INPUT)
        .add(new Layer.Conv2d("b", 3, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1,
            true, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN), ModelSpec.INPUT)
        .concat("channels", 0, "a", "b")
        .concat("wide", 2, "channels", "channels")
        .relu("relu1").globalAvgPool2d("gap")
        .dense("p", 5)
        .add(new Layer.Dense("q", 5), "gap")
        .addOf("sum", "gap", "p", "q")
        .concat("both", -1, "sum", "p")
        .dense("fc", 3)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1))
        .optTraining(1, 8, 9, true).build();
  }

  /**
   * The output is a dropout (an inference identity) of fc, which an add also reads: the lowering
   * must copy fc's tensor to the output rather than rename it. The add is never read (a
   * validation warning, not an error).
   */
  public static CheckedSpec dropoutOfASharedTensor() {
    return ModelSpec.builder().optName("shared-dropout").setInput(4).dense("fc", 4)
        .addOf("sum", "fc", ModelSpec.INPUT)
        .add(new Layer.Dropout("d", 0.5), "fc")
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }

  /**
   * One pre-layer-norm transformer block on token ids, the smallest GPT:
   * {@code [6]} ids of a vocabulary of 11, embedding and position embedding of width 8, causal
   * self-attention with 2 heads (biases drawn, not zero), a tanh-GELU MLP, residual adds, a
   * final layer norm and a dense head giving {@code [6, 11]} next-token logits.
   *
   * @param causal false for attention over every position
   * @param attentionDropout the attention layer's dropout on its weights
   */
  public static CheckedSpec tinyGpt(boolean causal, double attentionDropout) {
    return ModelSpec.builder().optName(causal ? "tiny-gpt" : "tiny-encoder").setTokenInput(6)
        .embedding("tok", 11, 8)
        .positionEmbedding("pos", 8)
        .layerNorm("ln1")
        .add(new Layer.MultiHeadAttention("attn", 2, causal, true, attentionDropout, Init.XAVIER_UNIFORM,
            Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .addOf("res1", "attn", "pos")
        .layerNorm("ln2")
        .dense("fc1", 16)
        .gelu("gelu", Layer.Gelu.Approximation.TANH)
        .dense("fc2", 8)
        .addOf("res2", "fc2", "res1")
        .layerNorm("lnf")
        .dense("head", 11)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(new Optimizer.Adam(0.01))
        .optTraining(1, 8, 5, true).build();
  }

  /** {@link #tinyGpt} with causal attention and no attention dropout. */
  public static CheckedSpec tinyGpt() {
    return tinyGpt(true, 0);
  }

  /**
   * Every sequence layer kind and option in one graph on token ids, the token-input sibling of
   * {@link #everyLayer()}: read from {@code every-sequence-layer.json} beside this class.
   */
  public static CheckedSpec everySequenceLayer() {
    return SpecJson.parse(everySequenceLayerJson(), "every-sequence-layer.json");
  }

  public static String everySequenceLayerJson() {
    return resourceText("every-sequence-layer.json");
  }

  /** The models with the normalisation and join layers, for runtime checks and opset sweeps. */
  public static List<CheckedSpec> normsAndGraphs() {
    return List.of(bnCnn(), bnMlp(), layerNorms(), residual(), branches());
  }

  /**
   * {@code w} with the norm layers' tensors moved off their identity initial values, so a
   * lowering that swapped or ignored them would show: running_mean in [-1, 1), running_var in
   * [0.5, 2), norm weight in [0.5, 1.5) and bias in [-0.5, 0.5).
   */
  public static WeightSet withNormStats(CheckedSpec spec, WeightSet w, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    java.util.Set<String> norms = new java.util.HashSet<>();
    for (Layer l : spec.layers()) {
      if (l instanceof Layer.BatchNorm || l instanceof Layer.LayerNorm) {
        norms.add(l.name());
      }
    }
    Map<String, Tensor> out = new LinkedHashMap<>();
    w.tensors().forEach((name, t) -> {
      String layer = name.substring(0, name.lastIndexOf('.'));
      String param = name.substring(name.lastIndexOf('.') + 1);
      if (!norms.contains(layer)) {
        out.put(name, t);
        return;
      }
      double lo = switch (param) {
        case "running_mean" -> -1;
        case "running_var" -> 0.5;
        case "weight" -> 0.5;
        default -> -0.5;
      };
      double hi = param.equals("running_var") ? 2 : lo + (param.equals("running_mean") ? 2 : 1);
      float[] v = new float[t.data().length];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) r.nextDouble(lo, hi);
      }
      out.put(name, new Tensor(t.shape(), v));
    });
    return new WeightSet(out);
  }
}
