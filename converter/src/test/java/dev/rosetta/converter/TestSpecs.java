package dev.rosetta.converter;

import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import java.util.Map;

/** Small specs the converter tests share. */
final class TestSpecs {
  private TestSpecs() {}

  static final Map<String, String> PROVENANCE =
      Map.of("backend", "pytorch", "versions", "{\"djl\":\"0.36.0\",\"pytorch\":\"2.7.1\"}", "seed", "42", "step", "7");

  /** The seed MLP: 784 -> 128 -> relu -> 64 -> relu -> 10. */
  static ModelSpec seedMlp() {
    return ModelSpec.builder().optName("seed-mlp").setInput(784)
        .dense("fc1", 128).relu("relu1").dense("fc2", 64).relu("relu2").dense("fc3", 10)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Sgd(0.01))
        .optTraining(1, 64, 42, true).build();
  }

  /**
   * Every layer kind once, on a [1, 3, 4] image so that both dense paths appear; the conv keeps
   * the shape ("same", odd total padding on the height), the avg pool makes it [1, 4, 3],
   * the reshape makes a [5, 4, 1] image for the global pool.
   */
  static ModelSpec everyLayer() {
    return ModelSpec.builder().optName("every-layer").setInput(1, 3, 4)
        .add(new Layer.Conv2d("conv1", 1, new Layer.Hw(2, 3), Layer.Hw.of(1), Layer.Padding.sameAsInput(),
            Layer.Hw.of(1), 1, true, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .add(new Layer.MaxPool2d("pool1", Layer.Hw.of(3), Layer.Hw.of(1), Layer.Hw.of(1)))
        .add(new Layer.AvgPool2d("pool2", Layer.Hw.of(2), Layer.Hw.of(1), new Layer.Hw(1, 0)))
        .dense("proj", 5)
        .tanh("tanh1")
        .reshape("shape1", 5, -1, 1)
        .gelu("gelu1")
        .globalAvgPool2d("gap")
        .flatten("flat")
        .add(new Layer.Dense("fc1", 8, false, Init.XAVIER_UNIFORM, Init.ZEROS))
        .relu("relu1")
        .dropout("drop1", 0.25)
        .dense("fc2", 6)
        .elu("elu1", 0.5)
        .sigmoid("sig1")
        .dense("fc3", 4)
        .leakyRelu("leaky1", 0.2)
        .softmax("probs")
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Adam(0.01))
        .optTraining(1, 8, 3, true).build();
  }

  /**
   * Convolutions with every option away from its default: [3, 2] kernel, stride [2, 1],
   * padding [1, 2], dilation [1, 2], 2 groups, no bias; then "same" with an even kernel; then
   * a strided padded max pool and a padded avg pool.
   */
  static ModelSpec convolutions() {
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

  static ModelSpec dense3d(boolean bias) {
    return ModelSpec.builder().optName("dense3d").setInput(3, 4)
        .add(new Layer.Dense("fc", 6, bias, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }

  static ModelSpec dense2d(boolean bias) {
    return ModelSpec.builder().optName("dense2d").setInput(4)
        .add(new Layer.Dense("fc", 3, bias, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
  }
}
