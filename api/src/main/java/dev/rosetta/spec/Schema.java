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

  private Schema(Function<Values, T> create, List<Field<T, ?>> fields) {
    this.fields = List.copyOf(fields);
    this.create = create;
  }

  /**
   * @param create builds the record from the values read, given by field ({@link Values#get})
   * @param fields in canonical order, which is the order the writer emits them
   */
  @SafeVarargs
  public static <T> Schema<T> of(Function<Values, T> create, Field<T, ?>... fields) {
    return new Schema<>(create, List.of(fields));
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
        site.error(f.key() + part, site.prefix() + f.key() + part + " must be an integer, got " + describe(bad));
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
