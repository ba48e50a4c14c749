package dev.rosetta.tests.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rosetta.data.Batch;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * conv2d and the pools on every backend against outputs worked out by hand on a 3x3 image holding 1..9 and the
 * 2x2 kernel [[1, 2], [3, 4]]: each case changes one of stride, padding, dilation or groups.
 * Pool gradients go through a 1x1 conv of weight 1 in front of the pool.
 */
abstract class ConvLayerCases {
  /** The backend under test; one subclass per backend. */
  abstract Backend backend();

  static final float[] IMAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static final float[] KERNEL = {1, 2, 3, 4};

  static Layer.Conv2d conv(int filters, int k, int stride, Layer.Padding padding, int dilation, int groups, boolean bias) {
    return new Layer.Conv2d(
        "conv", filters, Layer.Hw.of(k), Layer.Hw.of(stride), padding, Layer.Hw.of(dilation), groups, bias,
        Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN);
  }

  /** Output of a one-conv model on {@code x} (one sample) with the given weight and bias. */
  float[] run(int[] input, Layer.Conv2d c, float[] weight, float[] bias, float[] x) {
    CheckedSpec spec =
        ModelSpec.builder().setInput(input).add(c)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("conv.weight", new Tensor(Shape.of(c.filters(), input[0] / c.groups(), c.kernel().h(), c.kernel().w()), weight));
    if (bias != null) {
      t.put("conv.bias", new Tensor(Shape.of(c.filters()), bias));
    }
    try (TrainableModel m = backend().create(spec, new WeightSet(t))) {
      return m.predict(x, 1);
    }
  }

  @Test
  void plainConvolutionWithBias() {
    // y[i][j] = 1 x[i][j] + 2 x[i][j+1] + 3 x[i+1][j] + 4 x[i+1][j+1] + 0.5
    float[] y = run(new int[] {1, 3, 3}, conv(1, 2, 1, Layer.Padding.explicit(0, 0), 1, 1, true), KERNEL, new float[] {0.5f}, IMAGE);
    assertArrayEquals(new float[] {37.5f, 47.5f, 67.5f, 77.5f}, y, 1e-5f);
  }

  @Test
  void strideTwoWithPaddingOne() {
    // The padded 5x5 image, windows at rows/cols {-1, 1}: 4*1; 3*2 + 4*3; 2*4 + 4*7; 5 + 12 + 24 + 36.
    float[] y = run(new int[] {1, 3, 3}, conv(1, 2, 2, Layer.Padding.explicit(1, 1), 1, 1, true), KERNEL, new float[] {0.5f}, IMAGE);
    assertArrayEquals(new float[] {4.5f, 18.5f, 36.5f, 77.5f}, y, 1e-5f);
  }

  @Test
  void dilationTwoReadsTheCorners() {
    // 1*x00 + 2*x02 + 3*x20 + 4*x22 = 1 + 6 + 21 + 36.
    float[] y = run(new int[] {1, 3, 3}, conv(1, 2, 1, Layer.Padding.explicit(0, 0), 2, 1, false), KERNEL, null, IMAGE);
    assertArrayEquals(new float[] {64f}, y, 1e-5f);
  }

  @Test
  void dilatedKernelGradientLandsOnTheTapsItRead() {
    // One output y = 64 and MSE against 0: d loss / d w = 2 y x at the four corners it read.
    Layer.Conv2d c = conv(1, 2, 1, Layer.Padding.explicit(0, 0), 2, 1, false);
    CheckedSpec spec =
        ModelSpec.builder().setInput(1, 3, 3).add(c)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = new WeightSet(Map.of("conv.weight", new Tensor(Shape.of(1, 1, 2, 2), KERNEL)));
    try (TrainableModel m = backend().create(spec, w)) {
      Batch b = new Batch(Shape.of(1, 3, 3), IMAGE, null, new float[] {0f}, 1);
      assertArrayEquals(new float[] {128, 384, 896, 1152}, m.gradients(b, 1).get("conv.weight").data(), 1e-3f);
    }
  }

  @Test
  void samePaddingPutsTheOddRowAtTheBottomAndTheOddColumnOnTheRight() {
    // Windows start at (i, j) and the zero row/column is after the image; had the extra gone on
    // top/left, the first output would be 4 * x00 = 4.
    float[] y = run(new int[] {1, 3, 3}, conv(1, 2, 1, Layer.Padding.sameAsInput(), 1, 1, false), KERNEL, null, IMAGE);
    assertArrayEquals(new float[] {37, 47, 3 + 18, 67, 77, 6 + 27, 7 + 16, 8 + 18, 9}, y, 1e-5f);
  }

  @Test
  void groupsConvolveTheirOwnChannels() {
    // Two channels (1..4 and 5..8), two groups of a 1x1 kernel: 2 * ch0 and -1 * ch1 + 1.
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
    float[] y = run(new int[] {2, 2, 2}, conv(2, 1, 1, Layer.Padding.explicit(0, 0), 1, 2, true), new float[] {2, -1}, new float[] {0, 1}, x);
    assertArrayEquals(new float[] {2, 4, 6, 8, -4, -5, -6, -7}, y, 1e-5f);
  }

  @Test
  void channelsAreSummedAndFiltersComeOutInNchwOrder() {
    // Two input channels, two 1x1 filters: f0 = ch0 + ch1, f1 = ch0 - ch1; rectangular 1x2 image
    // so a height/width mix-up would show.
    float[] x = {1, 2, 10, 20};
    float[] y = run(new int[] {2, 1, 2}, conv(2, 1, 1, Layer.Padding.explicit(0, 0), 1, 1, false), new float[] {1, 1, 1, -1}, null, x);
    assertArrayEquals(new float[] {11, 22, -9, -18}, y, 1e-5f);
    assertEquals(4, y.length);
  }

  static final float[] NEGATED = {-1, -2, -3, -4, -5, -6, -7, -8, -9};

  /** Output of {@code [1x1 conv, weight 1, no bias] -> layer} on one sample, and d loss / d weight (MSE vs 0). */
  float[][] throughPool(int[] input, Layer layer, float[] x, int outSize) {
    CheckedSpec spec =
        ModelSpec.builder().setInput(input).add(conv(input[0], 1, 1, Layer.Padding.explicit(0, 0), 1, input[0], false)).add(layer)
            .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Sgd(0.1)).build();
    WeightSet w = new WeightSet(Map.of("conv.weight", new Tensor(Shape.of(input[0], 1, 1, 1), ones(input[0]))));
    try (TrainableModel m = backend().create(spec, w)) {
      Batch b = new Batch(Shape.of(input), x, null, new float[outSize], 1);
      return new float[][] {m.predict(x, 1), m.gradients(b, 1).get("conv.weight").data()};
    }
  }

  static float[] ones(int n) {
    float[] o = new float[n];
    java.util.Arrays.fill(o, 1f);
    return o;
  }

  @Test
  void maxPoolTakesTheWindowMaximumAndRoutesTheGradientToIt() {
    float[][] r = throughPool(new int[] {1, 3, 3}, new Layer.MaxPool2d("pool", Layer.Hw.of(2), Layer.Hw.of(1), Layer.Hw.of(0)), IMAGE, 4);
    assertArrayEquals(new float[] {5, 6, 8, 9}, r[0], 1e-6f);
    // loss = mean(y^2) with y = w x_max: d/dw = 2 (25 + 36 + 64 + 81) / 4.
    assertArrayEquals(new float[] {103}, r[1], 1e-4f);
  }

  @Test
  void maxPoolPaddingNeverWins() {
    // Padded 5x5, windows at rows/cols {-1, 1}: on negative values, zero padding would win.
    float[][] r = throughPool(new int[] {1, 3, 3}, new Layer.MaxPool2d("pool", Layer.Hw.of(2), Layer.Hw.of(2), Layer.Hw.of(1)), NEGATED, 4);
    assertArrayEquals(new float[] {-1, -2, -4, -5}, r[0], 1e-6f);
  }

  @Test
  void avgPoolCountsPaddingInTheDivisor() {
    // Windows {1}, {2, 3}, {4, 7}, {5, 6, 8, 9}, each divided by 4.
    float[][] r = throughPool(new int[] {1, 3, 3}, new Layer.AvgPool2d("pool", Layer.Hw.of(2), Layer.Hw.of(2), Layer.Hw.of(1)), IMAGE, 4);
    assertArrayEquals(new float[] {0.25f, 1.25f, 2.75f, 7f}, r[0], 1e-6f);
    float[][] s = throughPool(new int[] {1, 3, 3}, new Layer.AvgPool2d("pool", Layer.Hw.of(2), Layer.Hw.of(1), Layer.Hw.of(0)), IMAGE, 4);
    assertArrayEquals(new float[] {3, 4, 6, 7}, s[0], 1e-6f);
    // d/dw mean((w y)^2) = 2 (9 + 16 + 36 + 49) / 4.
    assertArrayEquals(new float[] {55}, s[1], 1e-4f);
  }

  @Test
  void globalAvgPoolAveragesEachChannel() {
    float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
    float[][] r = throughPool(new int[] {2, 2, 2}, new Layer.GlobalAvgPool2d("gap"), x, 2);
    assertArrayEquals(new float[] {2.5f, 6.5f}, r[0], 1e-6f);
    // Per channel (grouped 1x1 conv, one weight each): d/dw_c = 2 y_c^2 / 2.
    assertArrayEquals(new float[] {6.25f, 42.25f}, r[1], 1e-4f);
  }
}
