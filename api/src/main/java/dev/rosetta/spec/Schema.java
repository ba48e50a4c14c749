package dev.rosetta.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The fields of one JSON object of the spec and how to build its IR record from them: read,
 * written and checked from the one list, so the reader, the canonical writer and the validator
 * cannot disagree about a field.
 */
public final class Schema<T> {
  private final List<Field<T, ?>> fields;
  private final Function<Values, T> create;

  /**
   * @param create builds the record from the values read, given by field ({@link Values#get})
   * @param fields in canonical order, which is the order the writer emits them
   */
  private Schema(Function<Values, T> create, List<Field<T, ?>> fields) {
    this.fields = List.copyOf(fields);
    this.create = create;
  }

  // ---- typed construction: the constructor's parameters must be the fields' types, in order ----
  //
  // A kind's schema is built from its record's canonical constructor and its fields in the same
  // order, so a field left out, added or of the wrong type is a compile error, not a runtime
  // surprise. Layer kinds pass the layer's name first (Named*); losses, optimizers and the
  // training settings do not (Plain*).

  /** A layer constructor taking its name and 0 field values. */
  @FunctionalInterface
  public interface Named0<T> {
    T make(String name);
  }

  /** A layer constructor taking its name and 1 field value. */
  @FunctionalInterface
  public interface Named1<A, T> {
    T make(String name, A a);
  }

  /** A layer constructor taking its name and 2 field values. */
  @FunctionalInterface
  public interface Named2<A, B, T> {
    T make(String name, A a, B b);
  }

  /** A layer constructor taking its name and 3 field values. */
  @FunctionalInterface
  public interface Named3<A, B, C, T> {
    T make(String name, A a, B b, C c);
  }

  /** A layer constructor taking its name and 4 field values. */
  @FunctionalInterface
  public interface Named4<A, B, C, D, T> {
    T make(String name, A a, B b, C c, D d);
  }

  /** A layer constructor taking its name and 5 field values. */
  @FunctionalInterface
  public interface Named5<A, B, C, D, E, T> {
    T make(String name, A a, B b, C c, D d, E e);
  }

  /** A layer constructor taking its name and 6 field values. */
  @FunctionalInterface
  public interface Named6<A, B, C, D, E, F, T> {
    T make(String name, A a, B b, C c, D d, E e, F f);
  }

  /** A layer constructor taking its name and 7 field values. */
  @FunctionalInterface
  public interface Named7<A, B, C, D, E, F, G, T> {
    T make(String name, A a, B b, C c, D d, E e, F f, G g);
  }

  /** A layer constructor taking its name and 8 field values. */
  @FunctionalInterface
  public interface Named8<A, B, C, D, E, F, G, H, T> {
    T make(String name, A a, B b, C c, D d, E e, F f, G g, H h);
  }

  /** A layer constructor taking its name and 9 field values. */
  @FunctionalInterface
  public interface Named9<A, B, C, D, E, F, G, H, I, T> {
    T make(String name, A a, B b, C c, D d, E e, F f, G g, H h, I i);
  }

  /** A constructor taking 0 field values. */
  @FunctionalInterface
  public interface Plain0<T> {
    T make();
  }

  /** A constructor taking 1 field value. */
  @FunctionalInterface
  public interface Plain1<A, T> {
    T make(A a);
  }

  /** A constructor taking 2 field values. */
  @FunctionalInterface
  public interface Plain2<A, B, T> {
    T make(A a, B b);
  }

  /** A constructor taking 3 field values. */
  @FunctionalInterface
  public interface Plain3<A, B, C, T> {
    T make(A a, B b, C c);
  }

  /** A constructor taking 4 field values. */
  @FunctionalInterface
  public interface Plain4<A, B, C, D, T> {
    T make(A a, B b, C c, D d);
  }

  /** A constructor taking 5 field values. */
  @FunctionalInterface
  public interface Plain5<A, B, C, D, E, T> {
    T make(A a, B b, C c, D d, E e);
  }

  /** A constructor taking 6 field values. */
  @FunctionalInterface
  public interface Plain6<A, B, C, D, E, F, T> {
    T make(A a, B b, C c, D d, E e, F f);
  }

  /** A constructor taking 7 field values. */
  @FunctionalInterface
  public interface Plain7<A, B, C, D, E, F, G, T> {
    T make(A a, B b, C c, D d, E e, F f, G g);
  }

  /** A constructor taking 8 field values. */
  @FunctionalInterface
  public interface Plain8<A, B, C, D, E, F, G, H, T> {
    T make(A a, B b, C c, D d, E e, F f, G g, H h);
  }

  public static <T> Schema<T> layer(Named0<T> make) {
    return new Schema<>(v -> make.make(v.name()), List.of());
  }

  public static <T, A> Schema<T> layer(Named1<A, T> make, Field<T, A> a) {
    return new Schema<>(v -> make.make(v.name(), v.get(a)), List.of(a));
  }

  public static <T, A, B> Schema<T> layer(Named2<A, B, T> make, Field<T, A> a, Field<T, B> b) {
    return new Schema<>(v -> make.make(v.name(), v.get(a), v.get(b)), List.of(a, b));
  }

  public static <T, A, B, C> Schema<T> layer(Named3<A, B, C, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c) {
    return new Schema<>(v -> make.make(v.name(), v.get(a), v.get(b), v.get(c)), List.of(a, b, c));
  }

  public static <T, A, B, C, D> Schema<T> layer(Named4<A, B, C, D, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d) {
    return new Schema<>(v -> make.make(v.name(), v.get(a), v.get(b), v.get(c), v.get(d)), List.of(a, b, c, d));
  }

  public static <T, A, B, C, D, E> Schema<T> layer(Named5<A, B, C, D, E, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e) {
    return new Schema<>(v -> make.make(v.name(), v.get(a), v.get(b), v.get(c), v.get(d), v.get(e)), List.of(a, b, c, d, e));
  }

  public static <T, A, B, C, D, E, F> Schema<T> layer(Named6<A, B, C, D, E, F, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e, Field<T, F> f) {
    return new Schema<>(v -> make.make(v.name(), v.get(a), v.get(b), v.get(c), v.get(d), v.get(e), v.get(f)), List.of(a, b, c, d, e, f));
  }

  public static <T, A, B, C, D, E, F, G> Schema<T> layer(Named7<A, B, C, D, E, F, G, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e, Field<T, F> f, Field<T, G> g) {
    return new Schema<>(v -> make.make(v.name(), v.get(a), v.get(b), v.get(c), v.get(d), v.get(e), v.get(f), v.get(g)), List.of(a, b, c, d, e, f, g));
  }

  public static <T, A, B, C, D, E, F, G, H> Schema<T> layer(Named8<A, B, C, D, E, F, G, H, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e, Field<T, F> f, Field<T, G> g, Field<T, H> h) {
    return new Schema<>(v -> make.make(v.name(), v.get(a), v.get(b), v.get(c), v.get(d), v.get(e), v.get(f), v.get(g), v.get(h)), List.of(a, b, c, d, e, f, g, h));
  }

  public static <T, A, B, C, D, E, F, G, H, I> Schema<T> layer(Named9<A, B, C, D, E, F, G, H, I, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e, Field<T, F> f, Field<T, G> g, Field<T, H> h, Field<T, I> i) {
    return new Schema<>(v -> make.make(v.name(), v.get(a), v.get(b), v.get(c), v.get(d), v.get(e), v.get(f), v.get(g), v.get(h), v.get(i)), List.of(a, b, c, d, e, f, g, h, i));
  }

  public static <T> Schema<T> of(Plain0<T> make) {
    return new Schema<>(v -> make.make(), List.of());
  }

  public static <T, A> Schema<T> of(Plain1<A, T> make, Field<T, A> a) {
    return new Schema<>(v -> make.make(v.get(a)), List.of(a));
  }

  public static <T, A, B> Schema<T> of(Plain2<A, B, T> make, Field<T, A> a, Field<T, B> b) {
    return new Schema<>(v -> make.make(v.get(a), v.get(b)), List.of(a, b));
  }

  public static <T, A, B, C> Schema<T> of(Plain3<A, B, C, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c) {
    return new Schema<>(v -> make.make(v.get(a), v.get(b), v.get(c)), List.of(a, b, c));
  }

  public static <T, A, B, C, D> Schema<T> of(Plain4<A, B, C, D, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d) {
    return new Schema<>(v -> make.make(v.get(a), v.get(b), v.get(c), v.get(d)), List.of(a, b, c, d));
  }

  public static <T, A, B, C, D, E> Schema<T> of(Plain5<A, B, C, D, E, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e) {
    return new Schema<>(v -> make.make(v.get(a), v.get(b), v.get(c), v.get(d), v.get(e)), List.of(a, b, c, d, e));
  }

  public static <T, A, B, C, D, E, F> Schema<T> of(Plain6<A, B, C, D, E, F, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e, Field<T, F> f) {
    return new Schema<>(v -> make.make(v.get(a), v.get(b), v.get(c), v.get(d), v.get(e), v.get(f)), List.of(a, b, c, d, e, f));
  }

  public static <T, A, B, C, D, E, F, G> Schema<T> of(Plain7<A, B, C, D, E, F, G, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e, Field<T, F> f, Field<T, G> g) {
    return new Schema<>(v -> make.make(v.get(a), v.get(b), v.get(c), v.get(d), v.get(e), v.get(f), v.get(g)), List.of(a, b, c, d, e, f, g));
  }

  public static <T, A, B, C, D, E, F, G, H> Schema<T> of(Plain8<A, B, C, D, E, F, G, H, T> make, Field<T, A> a, Field<T, B> b, Field<T, C> c, Field<T, D> d, Field<T, E> e, Field<T, F> f, Field<T, G> g, Field<T, H> h) {
    return new Schema<>(v -> make.make(v.get(a), v.get(b), v.get(c), v.get(d), v.get(e), v.get(f), v.get(g), v.get(h)), List.of(a, b, c, d, e, f, g, h));
  }

  public List<Field<T, ?>> fields() {
    return fields;
  }

  /** The values a record is built from, by field; and the layer's name, for layer kinds. */
  public static final class Values {
    private final String name;
    private final Map<Field<?, ?>, Object> values = new HashMap<>();

    Values(String name) {
      this.name = name;
    }

    /** The layer's name ({@code null} outside a layer). */
    public String name() {
      return name;
    }

    @SuppressWarnings("unchecked")
    public <V> V get(Field<?, V> field) {
      if (!values.containsKey(field)) {
        throw new IllegalStateException("field '" + field.key() + "' is read before it is declared");
      }
      return (V) values.get(field);
    }
  }

  /** Where an object sits in the spec, for messages; collects what is wrong with it. */
  public record Site(String path, String layer, List<SpecIssue> issues) {
    /** {@code layer 'fc1': } inside a layer, nothing elsewhere. */
    String prefix() {
      return layer == null ? "" : "layer '" + layer + "': ";
    }

    void error(String subPath, String message) {
      issues.add(SpecIssue.error(subPath == null ? path : path + "." + subPath, layer, message));
    }
  }

  /**
   * Reads every field of {@code obj}, reporting each missing, mistyped or unknown key at its
   * path.
   *
   * @param name the layer's name, passed to the record's constructor (null outside a layer)
   * @param alsoAllowed keys handled by the caller ({@code type}, {@code name}, {@code inputs})
   * @return the record, or null when anything was wrong
   */
  public T read(JsonNode obj, Site site, String name, Set<String> alsoAllowed) {
    int before = site.issues().size();
    Set<String> allowed = new LinkedHashSet<>(alsoAllowed);
    fields.forEach(f -> allowed.add(f.key()));
    List<String> unknown = new ArrayList<>();
    obj.fieldNames().forEachRemaining(k -> {
      if (!allowed.contains(k)) {
        unknown.add(k);
      }
    });
    for (String k : unknown) {
      site.error(k, site.prefix() + "unknown field \"" + k + "\" (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
    }
    Values values = new Values(name);
    for (Field<T, ?> f : fields) {
      readField(obj, f, site, values);
    }
    return site.issues().size() == before ? create.apply(values) : null;
  }

  private static <V> void readField(JsonNode obj, Field<?, V> f, Site site, Values values) {
    JsonNode n = obj.get(f.key());
    if (n == null || n.isNull()) {
      if (f.required()) {
        site.error(f.key(), site.prefix() + "missing required field \"" + f.key() + "\"");
        values.values.put(f, null);
      } else {
        values.values.put(f, f.fallback(values));
      }
      return;
    }
    V v = f.codec().decode(n);
    if (v == null) {
      String part = f.codec().badPart(n);
      if (part == null) {
        site.error(f.key(), site.prefix() + f.key() + " must be " + f.codec().expected() + ", got " + describe(n));
      } else {
        JsonNode bad = n.at(pointer(part));
        site.error(f.key() + part, site.prefix() + f.key() + part + " must be " + f.codec().elementExpected() + ", got " + describe(bad));
      }
    }
    values.values.put(f, v);
  }

  /** {@code [3]} as a JSON pointer, {@code /3}. */
  private static String pointer(String part) {
    return "/" + part.substring(1, part.length() - 1);
  }

  /** Writes every field of {@code record}, in declaration order. */
  public void write(T record, ObjectNode into) {
    for (Field<T, ?> f : fields) {
      if (f.omittedWhenNull() && f.get(record) == null) {
        continue;
      }
      into.set(f.key(), encode(f, record));
    }
  }

  private static <T, V> JsonNode encode(Field<T, V> f, T record) {
    return f.codec().encode(f.get(record));
  }

  /**
   * The value checks of every field, for a record built in Java as much as one read from JSON.
   *
   * @param fieldPrefix how a field is named in messages: {@code fc2.} for a layer's
   */
  public void check(T record, Site site, String fieldPrefix) {
    for (Field<T, ?> f : fields) {
      String why = violation(f, record);
      if (why != null) {
        site.error(f.key(), fieldPrefix + f.key() + " " + why);
      }
    }
  }

  private static <T, V> String violation(Field<T, V> f, T record) {
    return f.violation(f.get(record));
  }

  /** {@code string "x"}, {@code number 3}, {@code array}: what a mistyped value was. */
  static String describe(JsonNode n) {
    if (n.isTextual()) {
      return "string \"" + n.asText() + "\"";
    }
    if (n.isNumber() || n.isBoolean()) {
      return n.getNodeType().name().toLowerCase() + " " + n;
    }
    return n.getNodeType().name().toLowerCase();
  }
}
