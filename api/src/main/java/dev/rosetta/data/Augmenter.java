package dev.rosetta.data;

import dev.rosetta.spec.Augmentation;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.Training;
import dev.rosetta.weights.Initializer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Applies the spec's {@code training.augmentation} to training batches. Every random draw comes
 * from one stream per optimizer step, keyed by the spec seed and the step number ({@code
 * augmentation/<step>}), taken in a fixed order (each augmentation in turn, and within it each
 * sample in batch order), so a batch is augmented the same way on every backend and in a
 * resumed run. Images are {@code [C, H, W]}, row-major.
 */
public final class Augmenter {
  private final List<Augmentation> steps;
  private final long seed;

  private Augmenter(List<Augmentation> steps, long seed) {
    this.steps = steps;
    this.seed = seed;
  }

  /** The spec's augmentation, or null when it has none. */
  public static Augmenter of(Training t) {
    return t.augmentation().isEmpty() ? null : new Augmenter(t.augmentation(), t.seed());
  }

  /** A new batch with augmented features; labels and targets are shared with {@code b}. */
  public Batch apply(Batch b, long step) {
    SplittableRandom rng = new SplittableRandom(Initializer.streamSeed(seed, "augmentation/" + step));
    Shape s = b.sampleShape();
    Image img = new Image(s.dim(0), s.dim(1), s.dim(2));
    float[] x = b.features().clone();
    for (Augmentation a : steps) {
      a.accept(new Augmentation.Visitor<Void>() {
        @Override
        public Void randomCrop(Augmentation.RandomCrop c) {
          int p = c.padding();
          for (int i = 0; i < b.size(); i++) {
            int dy = p - rng.nextInt(2 * p + 1);
            int dx = p - rng.nextInt(2 * p + 1);
            img.shift(x, i, dy, dx, Augmentation.Fill.CONSTANT);
          }
          return null;
        }

        @Override
        public Void horizontalFlip(Augmentation.HorizontalFlip f) {
          for (int i = 0; i < b.size(); i++) {
            if (rng.nextDouble() < f.probability()) {
              img.flip(x, i);
            }
          }
          return null;
        }

        @Override
        public Void randomTranslate(Augmentation.RandomTranslate t) {
          int m = t.maxShift();
          for (int i = 0; i < b.size(); i++) {
            int dy = rng.nextInt(2 * m + 1) - m;
            int dx = rng.nextInt(2 * m + 1) - m;
            img.shift(x, i, dy, dx, t.fill());
          }
          return null;
        }
      });
    }
    return new Batch(s, x, b.labels(), b.targets(), b.size());
  }

  /** Pixel moves on sample {@code i} of a batch, in place, through one scratch plane. */
  static final class Image {
    final int c;
    final int h;
    final int w;
    final float[] plane;

    Image(int c, int h, int w) {
      this.c = c;
      this.h = h;
      this.w = w;
      this.plane = new float[h * w];
    }

    /**
     * Moves the content down by {@code dy} and right by {@code dx}: {@code out[y][x] = in[y -
     * dy][x - dx]}, pixels from outside the image per {@code fill}. Random crop with padding p at
     * offset (u, v) is this shift by (p - u, p - v) with zeros.
     */
    void shift(float[] x, int i, int dy, int dx, Augmentation.Fill fill) {
      if (dy == 0 && dx == 0) {
        return;
      }
      int size = h * w;
      for (int ch = 0; ch < c; ch++) {
        int base = (i * c + ch) * size;
        System.arraycopy(x, base, plane, 0, size);
        for (int y = 0; y < h; y++) {
          int sy = source(y - dy, h, fill);
          for (int xx = 0; xx < w; xx++) {
            int sx = source(xx - dx, w, fill);
            x[base + y * w + xx] = sy < 0 || sx < 0 ? 0f : plane[sy * w + sx];
          }
        }
      }
    }

    /** Mirrors sample {@code i} left to right. */
    void flip(float[] x, int i) {
      for (int ch = 0; ch < c; ch++) {
        int base = (i * c + ch) * h * w;
        for (int y = 0; y < h; y++) {
          int row = base + y * w;
          for (int a = 0, z = w - 1; a < z; a++, z--) {
            float t = x[row + a];
            x[row + a] = x[row + z];
            x[row + z] = t;
          }
        }
      }
    }

    /** Where pixel {@code k} of an axis of length {@code n} comes from; -1 for a zero. */
    private static int source(int k, int n, Augmentation.Fill fill) {
      if (k >= 0 && k < n) {
        return k;
      }
      return switch (fill) {
        case CONSTANT -> -1;
        case NEAREST -> k < 0 ? 0 : n - 1;
        case REFLECT -> k < 0 ? -k : 2 * (n - 1) - k;
      };
    }
  }
}
