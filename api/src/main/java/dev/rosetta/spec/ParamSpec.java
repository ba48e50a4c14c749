package dev.rosetta.spec;

/**
 * A tensor a layer owns, in the canonical (PyTorch) layout.
 *
 * @param name full name, {@code <layer>.<param>}, e.g. {@code fc1.weight}
 * @param trainable false for buffers such as running statistics
 * @param fanIn inputs feeding one output unit, for fan-based initialisation
 * @param fanOut outputs fed by one input unit
 */
public record ParamSpec(
    String name, Shape shape, boolean trainable, Init init, int fanIn, int fanOut) {}
