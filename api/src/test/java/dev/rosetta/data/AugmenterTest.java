package dev.rosetta.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.rosetta.spec.Augmentation;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.Training;
import dev.rosetta.weights.Initializer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmenterTest {
  /** A 1 x 3 x 4 image: value = 10 * row + column + 1. */
  static final float[] IMG = {1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24};

  static float[] shifted(int dy, int dx, Augmentation.Fill fill) {
    float[] x = IMG.clone();
    new Augmenter.Image(1, 3, 4).shift(x, 0, dy, dx, fill);
    return x;
  }

  @Test
  void shiftsFillTheUncoveredBorderAsDeclared() {
    assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 2, 3, 0, 11, 12, 13}, shifted(1, 1, Augmentation.Fill.CONSTANT));
    assertArrayEquals(new float[] {12, 13, 14, 0, 22, 23, 24, 0, 0, 0, 0, 0}, shifted(-1, -1, Augmentation.Fill.CONSTANT));
    assertArrayEquals(new float[] {1, 1, 2, 3, 1, 1, 2, 3, 11, 11, 12, 13}, shifted(1, 1, Augmentation.Fill.NEAREST));
    // reflect about the edge pixel: row -1 is row 1, column -1 is column 1, column 4 is column 2
    assertArrayEquals(new float[] {12, 11, 12, 13, 2, 1, 2, 3, 12, 11, 12, 13}, shifted(1, 1, Augmentation.Fill.REFLECT));
    assertArrayEquals(new float[] {2, 3, 4, 3, 12, 13, 14, 13, 22, 23, 24, 23}, shifted(0, -1, Augmentation.Fill.REFLECT));
  }

  @Test
  void flipMirrorsEveryRowOfEveryChannel() {
    float[] x = new float[24];
    for (int i = 0; i < 24; i++) {
      x[i] = i;
    }
    new Augmenter.Image(2, 3, 4).flip(x, 0);
    assertArrayEquals(new float[] {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20}, x);
  }

  static Batch batch() {
    float[] x = new float[3 * IMG.length];
    for (int i = 0; i < 3; i++) {
      for (int k = 0; k < IMG.length; k++) {
        x[i * IMG.length + k] = IMG[k] + 100 * i;
      }
    }
    return new Batch(Shape.of(1, 3, 4), x, new int[] {0, 1, 2}, null, 3);
  }

  static Augmenter of(Augmentation... a) {
    return Augmenter.of(new Training(1, 3, 77, true).withAugmentation(List.of(a)));
  }

  @Test
  void drawsComeFromTheStepsStreamInTheDocumentedOrder() {
    Batch b = batch();
    Batch out = of(new Augmentation.RandomCrop(2), new Augmentation.HorizontalFlip(0.5)).apply(b, 5);
    // Replay: crop offsets for samples 0..2, then one flip draw per sample.
    SplittableRandom rng = new SplittableRandom(Initializer.streamSeed(77, "augmentation/5"));
    float[] want = b.features().clone();
    Augmenter.Image img = new Augmenter.Image(1, 3, 4);
    for (int i = 0; i < 3; i++) {
      int dy = 2 - rng.nextInt(5);
      int dx = 2 - rng.nextInt(5);
      img.shift(want, i, dy, dx, Augmentation.Fill.CONSTANT);
    }
    for (int i = 0; i < 3; i++) {
      if (rng.nextDouble() < 0.5) {
        img.flip(want, i);
      }
    }
    assertArrayEquals(want, out.features());
    assertSame(b.labels(), out.labels());
    assertArrayEquals(batch().features(), b.features(), "the input batch is left as it was");
  }

  @Test
  void sameStepSameBatchOtherStepOtherBatch() {
    Augmenter a = of(new Augmentation.RandomTranslate(1, Augmentation.Fill.REFLECT), new Augmentation.HorizontalFlip(0.5));
    assertArrayEquals(a.apply(batch(), 3).features(), a.apply(batch(), 3).features());
    boolean differ = false;
    for (int s = 4; s < 10 && !differ; s++) {
      differ = !Arrays.equals(a.apply(batch(), 3).features(), a.apply(batch(), s).features());
    }
    assertFalse(!differ, "six steps drew the same transformations");
  }

  @Test
  void noAugmentationMeansNoAugmenter() {
    assertNull(Augmenter.of(new Training(1, 3, 77, true)));
  }

  @Test
  void flipWithProbabilityOneTwiceIsTheIdentity() {
    Augmenter a = of(new Augmentation.HorizontalFlip(1), new Augmentation.HorizontalFlip(1));
    assertArrayEquals(batch().features(), a.apply(batch(), 1).features());
  }
}
