package dev.rosetta.spec;

/**
 * A random transformation of training images ({@code training.augmentation}, applied in the
 * listed order), generated in Java from the spec's seed and the step number so that every
 * backend trains on the same augmented batches. Never applied at evaluation. Each kind declares
 * its JSON form in {@code KIND}; the augmenter applies kinds through {@link Visitor}.
 */
public sealed interface Augmentation
    permits Augmentation.RandomCrop, Augmentation.HorizontalFlip, Augmentation.RandomTranslate {

  Kind<? extends Augmentation> kind();

  default String type() {
    return kind().name();
  }

  <R> R accept(Visitor<R> visitor);

  /** Checks against one sample's input shape: an image, {@code [C, H, W]}. */
  default void check(Shape input, Checks c) {
    if (input.rank() != 3) {
      c.error(null, type() + " transforms images and needs an input of shape [C, H, W], but the input is " + input);
    }
  }

  /** One method per augmentation kind. */
  interface Visitor<R> {
    R randomCrop(RandomCrop a);

    R horizontalFlip(HorizontalFlip a);

    R randomTranslate(RandomTranslate a);
  }

  /** How pixels shifted in from outside the image are filled. */
  enum Fill implements Codec.Named {
    /** Zeros. */
    CONSTANT,
    /** The edge pixel repeated. */
    NEAREST,
    /** Mirrored about the edge pixel ({@code d c b | a b c d | c b a}). */
    REFLECT;
  }

  /**
   * torchvision's {@code RandomCrop(size=(H, W), padding=p)}: each image zero-padded by {@code
   * padding} pixels on every side, then cut back to H x W at an offset drawn uniformly from
   * {@code [0, 2p]} on each axis.
   */
  record RandomCrop(int padding) implements Augmentation {
    private static final Field<RandomCrop, Integer> PADDING =
        Field.of("padding", Codec.INT, RandomCrop::padding).orElse(4).must(Rule.AT_LEAST_ONE);
    public static final Kind<RandomCrop> KIND =
        Kind.of("random_crop", RandomCrop.class, Schema.of(RandomCrop::new, PADDING));

    @Override
    public Kind<RandomCrop> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.randomCrop(this);
    }
  }

  /** Each image mirrored left to right with {@code probability}. */
  record HorizontalFlip(double probability) implements Augmentation {
    private static final Field<HorizontalFlip, Double> PROBABILITY =
        Field.of("probability", Codec.NUMBER, HorizontalFlip::probability).orElse(0.5).must(Rule.UNIT_INTERVAL);
    public static final Kind<HorizontalFlip> KIND =
        Kind.of("horizontal_flip", HorizontalFlip.class, Schema.of(HorizontalFlip::new, PROBABILITY));

    @Override
    public Kind<HorizontalFlip> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.horizontalFlip(this);
    }
  }

  /**
   * Each image shifted by whole pixels, {@code dy} and {@code dx} drawn uniformly from {@code
   * [-max_shift, max_shift]}, the uncovered border filled by {@code fill}: Keras's {@code
   * RandomTranslation} restricted to integer shifts (so no interpolation enters the pixels).
   */
  record RandomTranslate(int maxShift, Fill fill) implements Augmentation {
    private static final Field<RandomTranslate, Integer> MAX_SHIFT =
        Field.of("max_shift", Codec.INT, RandomTranslate::maxShift).orElse(2).must(Rule.AT_LEAST_ONE);
    private static final Field<RandomTranslate, Fill> FILL =
        Field.of("fill", Codec.oneOf(Fill.class), RandomTranslate::fill).orElse(Fill.CONSTANT);
    public static final Kind<RandomTranslate> KIND =
        Kind.of("random_translate", RandomTranslate.class, Schema.of(RandomTranslate::new, MAX_SHIFT, FILL));

    @Override
    public Kind<RandomTranslate> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.randomTranslate(this);
    }

    @Override
    public void check(Shape input, Checks c) {
      Augmentation.super.check(input, c);
      if (input.rank() == 3 && fill == Fill.REFLECT && maxShift >= Math.min(input.dim(1), input.dim(2))) {
        c.error("max_shift", "max_shift must be below the image's smaller side " + Math.min(input.dim(1), input.dim(2))
            + " to reflect (got " + maxShift + ")");
      }
    }
  }
}
