package dev.rosetta.spec;

import java.util.Objects;

/**
 * One kind of layer, loss or optimizer, declared once beside its record as a {@code static
 * final Kind KIND}: its JSON type name and its fields ({@link Schema}), plus, for layers, how
 * many inputs it reads. {@link Kinds} finds every kind from the sealed interfaces' permitted
 * records, so no list of kinds is written by hand anywhere.
 */
public final class Kind<T> {
  /** How many inputs a layer kind reads. */
  public enum Arity {
    /** One: the previous layer, or the one it names. */
    ONE,
    /** Two or more, listed in {@code inputs}: a join such as {@code add} or {@code concat}. */
    JOIN
  }

  private final String name;
  private final Class<T> type;
  private final Schema<T> schema;
  private final Arity arity;
  private final boolean anyLength;

  private Kind(String name, Class<T> type, Schema<T> schema, Arity arity, boolean anyLength) {
    this.name = Objects.requireNonNull(name);
    this.type = Objects.requireNonNull(type);
    this.schema = Objects.requireNonNull(schema);
    this.arity = arity;
    this.anyLength = anyLength;
  }

  public static <T> Kind<T> of(String name, Class<T> type, Schema<T> schema) {
    return new Kind<>(name, type, schema, Arity.ONE, false);
  }

  /** A layer kind that joins two or more inputs. */
  public static <T> Kind<T> join(String name, Class<T> type, Schema<T> schema) {
    return new Kind<>(name, type, schema, Arity.JOIN, false);
  }

  /**
   * This layer kind, declared to compute the same function of a shorter sequence, position
   * axis kept (see {@code Layer.takesAnyLength}): element-wise kinds, dense on the last axis,
   * the sequence kinds.
   */
  public Kind<T> anyLength() {
    return new Kind<>(name, type, schema, arity, true);
  }

  /** Whether the kind is declared with {@link #anyLength()}. */
  public boolean takesAnyLength() {
    return anyLength;
  }

  /** The type name as written in JSON: {@code "dense"}. */
  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  public Schema<T> schema() {
    return schema;
  }

  public Arity arity() {
    return arity;
  }

  @Override
  public String toString() {
    return name;
  }
}
