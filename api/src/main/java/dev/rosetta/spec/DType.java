package dev.rosetta.spec;

/**
 * The element type of the model input: float32 features, or int64 token ids that an {@code
 * embedding} layer reads. Everything a layer computes is float32. JSON names: {@code float32},
 * {@code int64} (the constants' names in lower case).
 */
public enum DType implements Codec.Named {
  FLOAT32,
  INT64
}
