package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One field of a kind (or of another part of the spec), declared once: its JSON key, value
 * type, default and checks, and how to read it off the IR record. The JSON reader, the
 * canonical writer, the unknown-key check and the validator's value checks all come from
 * here.
 *
 * @param <T> the record the field belongs to
 * @param <V> the value type
 */
public final class Field<T, V> {
  private final String key;
  private final Codec<V> codec;
  private final Function<T, V> getter;
  /** Null: the field is required. */
  private final Function<Schema.Values, V> fallback;
  private final String fallbackText;
  private final List<Rule<? super V>> rules;
  /** Absent means null, and a null value is left out of the canonical JSON. */
  private final boolean omittedWhenNull;

  private Field(
      String key, Codec<V> codec, Function<T, V> getter, Function<Schema.Values, V> fallback,
      String fallbackText, List<Rule<? super V>> rules, boolean omittedWhenNull) {
    this.key = key;
    this.codec = codec;
    this.getter = getter;
    this.fallback = fallback;
    this.fallbackText = fallbackText;
    this.rules = List.copyOf(rules);
    this.omittedWhenNull = omittedWhenNull;
  }

  /** A required field. */
  public static <T, V> Field<T, V> of(String key, Codec<V> codec, Function<T, V> getter) {
    return new Field<>(key, codec, getter, null, null, List.of(), false);
  }

  /** This field, optional, with {@code value} when absent. */
  public Field<T, V> orElse(V value) {
    return new Field<>(key, codec, getter, v -> value, codec.show(value), rules, false);
  }

  /** This field, optional, taking the value of {@code other} (read before it) when absent. */
  public Field<T, V> orElseFrom(Field<T, V> other) {
    return new Field<>(key, codec, getter, v -> v.get(other), "the " + other.key, rules, false);
  }

  /**
   * This field, optional with no value (null) when absent; the canonical writer leaves a null
   * out. A field added to an existing kind this way keeps the canonical JSON, and so the spec
   * hash, of every spec that does not use it.
   */
  public Field<T, V> optional() {
    return new Field<>(key, codec, getter, v -> null, "none", rules, true);
  }

  /** This field with one more check. */
  public Field<T, V> must(Rule<? super V> rule) {
    List<Rule<? super V>> more = new ArrayList<>(rules);
    more.add(rule);
    return new Field<>(key, codec, getter, fallback, fallbackText, more, omittedWhenNull);
  }

  /** Whether the writer leaves this field out when its value is null ({@link #optional}). */
  public boolean omittedWhenNull() {
    return omittedWhenNull;
  }

  public String key() {
    return key;
  }

  public Codec<V> codec() {
    return codec;
  }

  public boolean required() {
    return fallback == null;
  }

  /** The default as the docs show it, or null for a required field. */
  public String defaultText() {
    return fallbackText;
  }

  public V get(T record) {
    return getter.apply(record);
  }

  V fallback(Schema.Values read) {
    return fallback.apply(read);
  }

  /** The requirement of the first rule {@code value} breaks, with the value quoted, or null. */
  String violation(V value) {
    if (value == null && omittedWhenNull) {
      return null;
    }
    for (Rule<? super V> r : rules) {
      if (!r.valid().test(value)) {
        return r.requirement() + " (got " + codec.show(value) + r.hint() + ")";
      }
    }
    return null;
  }
}
