package dev.rosetta.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every kind of one family (layers, losses, optimizers, preprocessing steps), found from the records its sealed
 * interface permits: each declares {@code public static final Kind<Itself> KIND}, which its
 * {@code kind()} returns (so the compiler insists it exists). The permits clause is the one list
 * of kinds; the JSON reader's type lookup and the docs' lists derive from this.
 */
public final class Kinds<B> {
  private final Class<B> family;
  private final Map<String, Kind<? extends B>> byName = new LinkedHashMap<>();

  private Kinds(Class<B> family) {
    this.family = family;
    for (Class<?> c : family.getPermittedSubclasses()) {
      Kind<? extends B> k = declared(family, c);
      if (byName.put(k.name(), k) != null) {
        throw new IllegalStateException(family.getSimpleName() + " kinds: two kinds are called \"" + k.name() + "\"");
      }
    }
  }

  /** The layer kinds, in the order {@code Layer} permits them. */
  public static Kinds<Layer> layers() {
    return Holder.LAYERS;
  }

  public static Kinds<Loss> losses() {
    return Holder.LOSSES;
  }

  public static Kinds<Optimizer> optimizers() {
    return Holder.OPTIMIZERS;
  }

  /** The steps of a spec's {@code preprocess} section. */
  public static Kinds<PreprocessStep> preprocessSteps() {
    return Holder.PREPROCESS_STEPS;
  }

  public static Kinds<Schedule> schedules() {
    return Holder.SCHEDULES;
  }

  public static Kinds<Augmentation> augmentations() {
    return Holder.AUGMENTATIONS;
  }

  /** Built on first use, not when a record class initialises (which would see a null KIND). */
  private static final class Holder {
    static final Kinds<Layer> LAYERS = new Kinds<>(Layer.class);
    static final Kinds<Loss> LOSSES = new Kinds<>(Loss.class);
    static final Kinds<Optimizer> OPTIMIZERS = new Kinds<>(Optimizer.class);
    static final Kinds<PreprocessStep> PREPROCESS_STEPS = new Kinds<>(PreprocessStep.class);
    static final Kinds<Schedule> SCHEDULES = new Kinds<>(Schedule.class);
    static final Kinds<Augmentation> AUGMENTATIONS = new Kinds<>(Augmentation.class);
  }

  /**
   * The kinds of another family declared the same way (a sweep's search strategies and
   * parameters), found from its permits clause.
   */
  public static <B> Kinds<B> of(Class<B> family) {
    return new Kinds<>(family);
  }

  /**
   * Reads an object of this family: its {@code type} names the kind, whose schema reads the rest.
   * Every problem is added to {@code issues} at its JSON path.
   *
   * @param path where the object sits, {@code $.loss}; its last name is the field in messages
   * @param example a valid object, quoted when the object is missing
   * @return the record, or null when anything was wrong
   */
  public B read(JsonNode n, String path, String example, List<SpecIssue> issues) {
    String field = path.substring(path.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
    if (n == null) {
      issues.add(SpecIssue.error(path, null, "missing required field \"" + field + "\" (e.g. " + example + ")"));
      return null;
    }
    if (!n.isObject()) {
      issues.add(SpecIssue.error(path, null, "expected an object, got " + Schema.describe(n)));
      return null;
    }
    JsonNode t = n.get("type");
    if (t == null || t.isNull()) {
      issues.add(SpecIssue.error(path + ".type", null, "missing required field \"type\""));
      return null;
    }
    if (!t.isTextual()) {
      issues.add(SpecIssue.error(path + ".type", null, "type must be a string, got " + Schema.describe(t)));
      return null;
    }
    Optional<Kind<? extends B>> kind = named(t.asText());
    if (kind.isEmpty()) {
      issues.add(SpecIssue.error(path + ".type", null,
          "unknown " + field + " \"" + t.asText() + "\" (known: " + String.join(", ", names()) + ")"));
      return null;
    }
    return kind.get().schema().read(n, new Schema.Site(path, null, issues), null, java.util.Set.of("type"));
  }

  public List<Kind<? extends B>> all() {
    return List.copyOf(byName.values());
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  public Optional<Kind<? extends B>> named(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @SuppressWarnings("unchecked")
  private static <B> Kind<? extends B> declared(Class<B> family, Class<?> record) {
    try {
      Field f = record.getField("KIND");
      if (!Modifier.isStatic(f.getModifiers()) || f.getType() != Kind.class) {
        throw new NoSuchFieldException();
      }
      Kind<?> k = (Kind<?>) f.get(null);
      if (k == null || k.type() != record) {
        throw new IllegalStateException(record.getName() + ".KIND must be the kind of " + record.getSimpleName());
      }
      return (Kind<? extends B>) k;
    } catch (NoSuchFieldException | IllegalAccessException e) {
      throw new IllegalStateException(
          family.getSimpleName() + " kind " + record.getName() + " must declare public static final Kind<"
              + record.getSimpleName() + "> KIND", e);
    }
  }

  /** Every record class that the sealed {@code family} permits, for tests that check coverage. */
  public static List<Class<?>> permitted(Class<?> family) {
    return new ArrayList<>(List.of(family.getPermittedSubclasses()));
  }
}
