package dev.rosetta.tests.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.Dataset;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.testkit.SyntheticData;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.Kinds;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The one parity harness: every layer kind, both losses and every optimizer setting go through
 * PyTorch and TensorFlow from the same weights on the same batches, and must meet the parity
 * contract. Each case runs 3 epochs of 13 batches (the last one partial, so a second batch size
 * goes through both graphs) and evaluates on 400 held-out samples.
 */
class BackendParityTest {
  static final int TRAIN = 200;
  static final int TEST = 400;
  static final int BATCH = 16;
  static final int EPOCHS = 3;

  record Case(String name, CheckedSpec spec, Dataset train, Dataset test) {
    @Override
    public String toString() {
      return name;
    }
  }

  static ModelSpec.Builder net(int... input) {
    return ModelSpec.builder().setInput(input).optTraining(EPOCHS, BATCH, 1234, true);
  }

  static Case classification(String name, CheckedSpec spec, int classes) {
    return new Case(
        name, spec, SyntheticData.blobs(spec.input(), classes, TRAIN, 11),
        SyntheticData.blobs(spec.input(), classes, TEST, 12));
  }

  static Case regression(String name, CheckedSpec spec, int targetSize) {
    return new Case(
        name, spec, SyntheticData.regression(spec.input(), targetSize, TRAIN, 21),
        SyntheticData.regression(spec.input(), targetSize, TEST, 22));
  }

  /** A model on token ids, trained on the seeded next-token or reversal data of the test kit. */
  static Case sequences(String name, CheckedSpec spec, boolean reverse) {
    int length = spec.input().dim(0);
    return new Case(
        name, spec,
        reverse ? SyntheticData.reverseDigits(length, TRAIN, 31) : SyntheticData.nextTokens(length, 10, TRAIN, 31),
        reverse ? SyntheticData.reverseDigits(length, TEST, 32) : SyntheticData.nextTokens(length, 10, TEST, 32));
  }

  static ModelSpec.Builder tokens(int length) {
    return ModelSpec.builder().setTokenInput(length).optTraining(EPOCHS, BATCH, 1234, true);
  }

  static Stream<Case> cases() {
    return Stream.of(
        sequences(
            "GPT block: embedding + position_embedding, pre-norm causal attention + tanh-GELU MLP, residuals, next-token cross_entropy, adam",
            tokens(8).embedding("tok", 10, 16).positionEmbedding("pos", 8).layerNorm("ln1")
                .add(new Layer.MultiHeadAttention("attn", 4, true, true, 0, Init.XAVIER_UNIFORM, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
                .addOf("res1", "attn", "pos").layerNorm("ln2").dense("fc1", 32).gelu("gelu", Layer.Gelu.Approximation.TANH)
                .dense("fc2", 16).addOf("res2", "fc2", "res1").layerNorm("lnf").dense("head", 10)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01)).build(),
            false),
        sequences(
            "reversal: bidirectional attention without bias, attention dropout 0.1, dropout 0.2, ignore_index, sgd momentum",
            tokens(6).embedding("tok", 10, 12).positionEmbedding("pos", 6)
                .add(new Layer.MultiHeadAttention("attn", 3, false, false, 0.1, Init.XAVIER_UNIFORM, Init.UNIFORM_FAN_IN, Init.ZEROS))
                .addOf("res", "attn", "pos").dropout("drop", 0.2).dense("head", 10)
                .setLoss(Loss.CrossEntropy.ignoring(0)).setOptimizer(new Optimizer.Sgd(0.1, 0.9, 0, false)).build(),
            true),
        classification(
            "dense + relu, cross_entropy, plain sgd",
            net(8).dense("fc1", 16).relu("relu1").dense("fc2", 4)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build(),
            4),
        classification(
            "dense without bias + sigmoid, mse on one-hot labels, sgd momentum",
            net(8)
                .add(new Layer.Dense("fc1", 16, false, Init.XAVIER_UNIFORM, Init.ZEROS))
                .sigmoid("sig1").dense("fc2", 4)
                .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.2, 0.9, 0, false)).build(),
            4),
        classification(
            "tanh + softmax before a dense layer, cross_entropy, sgd nesterov",
            net(8).dense("fc1", 16).tanh("tanh1").dense("fc2", 8).softmax("soft1").dense("fc3", 4)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1, 0.8, 0, true)).build(),
            4),
        classification(
            "flatten of a 2-D sample, cross_entropy, sgd weight decay",
            net(4, 6).flatten("flat").dense("fc1", 12).relu("relu1").dense("fc2", 3)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.05, 0, 0.01, false)).build(),
            3),
        classification(
            "dropout, cross_entropy, adam with weight decay and non-default betas",
            net(8).dense("fc1", 32).relu("relu1").dropout("drop1", 0.3).dense("fc2", 4)
                .setLoss(new Loss.CrossEntropy())
                .setOptimizer(new Optimizer.Adam(0.01, 0.85, 0.99, 1e-7, 0.001)).build(),
            4),
        classification(
            "flatten + sigmoid + dropout 0.5, mse, nesterov momentum with weight decay",
            net(2, 4).flatten("flat").dense("fc1", 16).sigmoid("sig1").dropout("drop1", 0.5).dense("fc2", 3)
                .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.3, 0.9, 5e-4, true)).build(),
            3),
        regression(
            "dense on the last axis of a 2-D sample, mse on float targets, adam",
            net(3, 5).dense("fc1", 8).tanh("tanh1").dense("fc2", 2)
                .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Adam(0.005)).build(),
            6),
        classification(
            "leaky_relu + gelu, cross_entropy, sgd momentum",
            net(8).dense("fc1", 16).leakyRelu("lrelu1", 0.1).dense("fc2", 16).gelu("gelu1").dense("fc3", 4)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1, 0.9, 0, false)).build(),
            4),
        classification(
            "silu + gelu (tanh form), cross_entropy, adam",
            net(8).dense("fc1", 16).silu("silu1").dense("fc2", 16).gelu("gelu1", Layer.Gelu.Approximation.TANH).dense("fc3", 4)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01)).build(),
            4),
        classification(
            "elu (alpha 0.5 and default) + leaky_relu default, mse, adam",
            net(8).dense("fc1", 16).elu("elu1", 0.5).dense("fc2", 16).add(new Layer.Elu("elu2"))
                .add(new Layer.LeakyRelu("lrelu1")).dense("fc3", 4)
                .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Adam(0.01)).build(),
            4),
        classification(
            "reshape [12] -> [3, 4] -> dense on the last axis -> flatten, cross_entropy, sgd",
            net(12).reshape("grid", 3, -1).dense("fc1", 6).gelu("gelu1").flatten("flat").dense("fc2", 3)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.1)).build(),
            3),
        classification(
            "conv2d 3x3 pad 1 -> relu -> max_pool2d 2 -> dropout -> flatten -> dense (NCHW flatten order), sgd momentum",
            net(2, 8, 8)
                .add(conv("conv1", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.explicit(1, 1), Layer.Hw.of(1), 1, true))
                .relu("relu1").maxPool2d("pool1", 2).dropout("drop1", 0.25).flatten("flat").dense("fc1", 3)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.05, 0.9, 0, false)).build(),
            3),
        classification(
            "conv2d grouped, dilated, strided, no bias, then 'same' even kernel, adam",
            net(4, 8, 8)
                .add(conv("conv1", 6, new Layer.Hw(3, 2), new Layer.Hw(2, 1), Layer.Padding.explicit(1, 0), new Layer.Hw(1, 2), 2, false))
                .tanh("tanh1")
                .add(conv("conv2", 4, Layer.Hw.of(2), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1, true))
                .flatten("flat").dense("fc1", 3)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01)).build(),
            3),
        classification(
            "conv2d -> tanh -> padded avg_pool2d -> padded strided max_pool2d -> global_avg_pool2d -> dense, adam",
            net(2, 8, 8)
                .add(conv("conv1", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.explicit(0, 0), Layer.Hw.of(1), 1, true))
                .tanh("tanh1")
                .add(new Layer.AvgPool2d("pool1", Layer.Hw.of(3), Layer.Hw.of(1), new Layer.Hw(1, 0)))
                .add(new Layer.MaxPool2d("pool2", new Layer.Hw(3, 2), Layer.Hw.of(2), Layer.Hw.of(1)))
                .globalAvgPool2d("gap").dense("fc1", 3)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.02)).build(),
            3),
        classification(
            "batch_norm on an image (momentum 0.3, epsilon 1e-3) and on a vector (defaults), evaluated with running statistics, sgd momentum",
            net(2, 8, 8)
                .add(conv("conv1", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.explicit(1, 1), Layer.Hw.of(1), 1, false))
                .add(new Layer.BatchNorm("bn1", 0.3, 1e-3)).relu("relu1").maxPool2d("pool1", 2)
                .flatten("flat").dense("fc1", 8).batchNorm("bn2").relu("relu2").dense("fc2", 3)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.05, 0.9, 0, false)).build(),
            3),
        classification(
            "residual graph: conv/bn/relu/conv/bn + add(skip), a 1x1 side branch joined by concat, layer_norm, adam",
            net(2, 8, 8)
                .add(conv("stem", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1, true))
                .relu("stem_relu")
                .add(conv("b1_conv1", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1, false))
                .batchNorm("b1_bn1").relu("b1_relu1")
                .add(conv("b1_conv2", 4, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.sameAsInput(), Layer.Hw.of(1), 1, false))
                .batchNorm("b1_bn2")
                .addOf("b1_sum", "b1_bn2", "stem_relu").relu("b1_out")
                .add(conv("side", 2, Layer.Hw.of(1), Layer.Hw.of(1), Layer.Padding.explicit(0, 0), Layer.Hw.of(1), 1, true), "stem_relu")
                .concat("cat", 0, "b1_out", "side")
                .globalAvgPool2d("gap").layerNorm("ln").dense("fc1", 3)
                .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01)).build(),
            3),
        regression(
            "layer_norm over a whole [C, H, W] sample and over its last axis, mse, sgd",
            net(2, 4, 4)
                .add(new Layer.LayerNorm("ln_all", 3, 1e-5))
                .add(conv("conv1", 3, Layer.Hw.of(3), Layer.Hw.of(1), Layer.Padding.explicit(1, 1), Layer.Hw.of(1), 1, true))
                .add(new Layer.LayerNorm("ln_last", 1, 1e-3)).flatten("flat").dense("fc1", 2)
                .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.05)).build(),
            2));
  }

  static Layer.Conv2d conv(
      String name, int filters, Layer.Hw kernel, Layer.Hw stride, Layer.Padding padding, Layer.Hw dilation, int groups,
      boolean bias) {
    return new Layer.Conv2d(name, filters, kernel, stride, padding, dilation, groups, bias, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void pytorchAndTensorflowMeetTheContract(Case c) {
    Backend pytorch = Backends.get("pytorch");
    Backend tensorflow = Backends.get("tensorflow");
    assertTrue(tensorflow.unsupported(c.spec()).isEmpty(), () -> tensorflow.unsupported(c.spec()).toString());
    ParityReport r = new ParityRunner(c.spec(), c.train(), c.test(), pytorch, tensorflow).optSteps(20).run();
    // The figures go to the build log so a drift can be seen before it crosses a bound.
    System.out.println("parity [" + c.name() + "] " + r.toJson());
    assertEquals(EPOCHS * 13L, r.steps());
    assertEquals(20, r.weightsStep());
    assertTrue(r.pass(), () -> c.name() + "\n" + r.toTable());
    // Training moved the weights enough that agreement is not the trivial agreement of two
    // models that never left their (identical) initialisation.
    assertTrue(r.weightsRelL2End() > 0, () -> "bit-identical runs are suspicious: " + r.toJson());
    // Attention parameters one by one, not only inside the whole weight set's figure.
    c.spec().layers().stream().filter(l -> l instanceof Layer.MultiHeadAttention).forEach(l -> {
      for (dev.rosetta.spec.ParamSpec p : c.spec().params()) {
        if (p.name().startsWith(l.name() + ".")) {
          ParityReport.TensorDrift d = r.weightsRelL2ByTensor().get(p.name());
          assertTrue(d != null && d.candidate() <= ParityReport.WEIGHTS_REL_L2_AFTER_N,
              () -> p.name() + " after 20 steps: " + d + "\n" + r.perTensorTable());
        }
      }
    });
  }

  /**
   * batch_norm statistics over many values: the fashion-cnn's first layer normalises 64 x 28 x
   * 28 = 50,176 values per channel. Summed in float32 they drift ~1e-5 relative and the step-1
   * gradients of the two backends differ by ~5e-4; PyTorch accumulates in double and so must the
   * TensorFlow lowering. Checked per tensor, on one batch of real images.
   */
  @Test
  void batchNormOverFiftyThousandValuesPerChannelKeepsGradientParity() throws java.io.IOException {
    CheckedSpec spec = dev.rosetta.spec.SpecJson.read(java.nio.file.Path.of("../examples/fashion-cnn.json"));
    Dataset train = dev.rosetta.data.DataSources.load(null, null).train().reshapedTo(spec.input());
    dev.rosetta.data.Batch batch = train.slice(0, 64);
    dev.rosetta.weights.WeightSet init = dev.rosetta.weights.Initializer.initialize(spec);
    dev.rosetta.weights.WeightSet a;
    dev.rosetta.weights.WeightSet b;
    try (var m = Backends.get("pytorch").create(spec, init)) {
      a = m.gradients(batch, 1);
    }
    try (var m = Backends.get("tensorflow").create(spec, init)) {
      b = m.gradients(batch, 1);
    }
    assertEquals(a.names(), b.names());
    for (String name : a.names()) {
      double rel = ParityRunner.relL2(
          new dev.rosetta.weights.WeightSet(java.util.Map.of(name, a.get(name))),
          new dev.rosetta.weights.WeightSet(java.util.Map.of(name, b.get(name))));
      assertTrue(rel <= 1e-5, name + " step-1 gradient differs by " + rel);
    }
  }

  /**
   * The residual example on real images: both backends train the graph (projection shortcuts,
   * joins, batch norm on every conv) from the same weights and stay inside the contract for
   * its first eight steps.
   */
  @Test
  void resnetMiniTrainsAlikeOnBothBackends() throws java.io.IOException {
    CheckedSpec spec = dev.rosetta.spec.SpecJson.read(java.nio.file.Path.of("../examples/resnet-mini.json"));
    var data = dev.rosetta.data.DataSources.load(null, null);
    Dataset train = data.train().reshapedTo(spec.input()).head(512);
    Dataset test = data.test().reshapedTo(spec.input()).head(256);
    ParityReport r = new ParityRunner(spec.withTraining(new dev.rosetta.spec.Training(1, 64, 42, true)), train, test,
        Backends.get("pytorch"), Backends.get("tensorflow")).optSteps(8).run();
    System.out.println("parity [resnet-mini, 8 steps] " + r.toJson());
    assertEquals(8, r.steps());
    assertTrue(r.pass(), () -> r.toTable());
    assertTrue(r.weightsRelL2End() > 0);
  }

  @Test
  void everyLayerTypeHasAParityCase() {
    Set<String> covered = new TreeSet<>();
    cases().forEach(c -> c.spec().layers().forEach(l -> covered.add(l.type())));
    for (String type : Kinds.layers().names()) {
      assertTrue(covered.contains(type), "layer type '" + type + "' has no case in BackendParityTest");
    }
  }

  @Test
  void everyLossAndOptimizerSettingHasAParityCase() {
    List<CheckedSpec> specs = cases().map(Case::spec).toList();
    assertTrue(specs.stream().anyMatch(s -> s.loss() instanceof Loss.CrossEntropy));
    assertTrue(specs.stream().anyMatch(s -> s.loss() instanceof Loss.Mse));
    assertTrue(specs.stream().anyMatch(s -> s.optimizer() instanceof Optimizer.Sgd o && o.momentum() == 0 && o.weightDecay() == 0), "plain sgd");
    assertTrue(specs.stream().anyMatch(s -> s.optimizer() instanceof Optimizer.Sgd o && o.momentum() > 0 && !o.nesterov()), "momentum");
    assertTrue(specs.stream().anyMatch(s -> s.optimizer() instanceof Optimizer.Sgd o && o.nesterov()), "nesterov");
    assertTrue(specs.stream().anyMatch(s -> s.optimizer() instanceof Optimizer.Sgd o && o.weightDecay() > 0), "sgd weight decay");
    assertTrue(specs.stream().anyMatch(s -> s.optimizer() instanceof Optimizer.Adam o && o.weightDecay() > 0), "adam weight decay");
  }
}
