package dev.rosetta.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rosetta.spec.Checks;
import dev.rosetta.spec.Codec;
import dev.rosetta.spec.Field;
import dev.rosetta.spec.Kind;
import dev.rosetta.spec.Rule;
import dev.rosetta.spec.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One dimension of a sweep ({@code parameters[i]}): values put into the base spec at a JSON path
 * ({@code $.layers[0].units}, {@code $.optimizer.learning_rate}, {@code $.optimizer} for a whole
 * optimizer), or a choice among whole spec files (other depths, other architectures).
 */
public sealed interface Parameter permits Parameter.Choice, Parameter.Uniform, Parameter.SpecFiles {

  Kind<? extends Parameter> kind();

  <R> R accept(Visitor<R> v);

  /** One method per parameter kind. */
  interface Visitor<R> {
    R choice(Choice c);

    R uniform(Uniform u);

    R specFiles(SpecFiles s);
  }

  /** What a parameter is called in tables: its path, or {@code spec}. */
  String label();

  /** The listed values a grid takes, or null for a distribution (random search only). */
  List<JsonNode> grid();

  /** One value drawn for a random trial. */
  JsonNode draw(SplittableRandom rng);

  /** Whether this parameter chooses each trial's base spec (a sweep has one at most). */
  default boolean choosesSpec() {
    return false;
  }

  /** Checks beyond single fields: a grid takes listed values only. */
  default void check(Search search, Checks c) {
    if (!search.draws() && grid() == null) {
      c.error("type", "a " + kind().name() + " parameter draws values: it needs \"search\": {\"type\": \"random\","
          + " \"trials\": N}; a grid takes listed values (choice)");
    }
  }

  /** Any of the listed JSON values, put at {@code path}. */
  record Choice(String path, List<JsonNode> values) implements Parameter {
    private static final Field<Choice, String> PATH = Field.of("path", Codec.STRING, Choice::path).must(SweepPaths.RULE);
    private static final Field<Choice, List<JsonNode>> VALUES =
        Field.of("values", VALUE_LIST, Choice::values).must(Rule.of(v -> !v.isEmpty(), "must not be empty"));
    public static final Kind<Choice> KIND = Kind.of("choice", Choice.class, Schema.of(Choice::new, PATH, VALUES));

    public Choice {
      values = List.copyOf(values);
    }

    @Override
    public Kind<Choice> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.choice(this);
    }

    @Override
    public String label() {
      return path;
    }

    @Override
    public List<JsonNode> grid() {
      return values;
    }

    @Override
    public JsonNode draw(SplittableRandom rng) {
      return values.get(rng.nextInt(values.size()));
    }
  }

  /** A number drawn uniformly from [low, high), or log-uniformly (learning rates); random search only. */
  record Uniform(String path, double low, double high, boolean log) implements Parameter {
    private static final Field<Uniform, String> PATH = Field.of("path", Codec.STRING, Uniform::path).must(SweepPaths.RULE);
    private static final Field<Uniform, Double> LOW = Field.of("low", Codec.NUMBER, Uniform::low);
    private static final Field<Uniform, Double> HIGH = Field.of("high", Codec.NUMBER, Uniform::high);
    private static final Field<Uniform, Boolean> LOG = Field.of("log", Codec.BOOL, Uniform::log).orElse(false);
    public static final Kind<Uniform> KIND = Kind.of("uniform", Uniform.class, Schema.of(Uniform::new, PATH, LOW, HIGH, LOG));

    @Override
    public Kind<Uniform> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.uniform(this);
    }

    @Override
    public String label() {
      return path;
    }

    @Override
    public List<JsonNode> grid() {
      return null;
    }

    @Override
    public void check(Search search, Checks c) {
      Parameter.super.check(search, c);
      if (!(low < high)) {
        c.error("high", "high must be above low (got low " + low + ", high " + high + ")");
      }
      if (log && !(low > 0)) {
        c.error("low", "a log-uniform parameter needs low > 0 (got " + low + ")");
      }
    }

    @Override
    public JsonNode draw(SplittableRandom rng) {
      double u = rng.nextDouble();
      double x = log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
      return Codec.NODES.numberNode(x);
    }
  }

  /** One of several spec files (relative to the sweep file): the trial's base spec, before any path is set. */
  record SpecFiles(List<String> files) implements Parameter {
    private static final Field<SpecFiles, List<String>> FILES =
        Field.of("files", Codec.STRING_LIST, SpecFiles::files).must(Rule.of(v -> !v.isEmpty(), "must not be empty"));
    public static final Kind<SpecFiles> KIND = Kind.of("spec_files", SpecFiles.class, Schema.of(SpecFiles::new, FILES));

    public SpecFiles {
      files = List.copyOf(files);
    }

    @Override
    public Kind<SpecFiles> kind() {
      return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.specFiles(this);
    }

    @Override
    public String label() {
      return "spec";
    }

    @Override
    public boolean choosesSpec() {
      return true;
    }

    @Override
    public List<JsonNode> grid() {
      List<JsonNode> out = new ArrayList<>();
      files.forEach(f -> out.add(Codec.NODES.textNode(f)));
      return out;
    }

    @Override
    public JsonNode draw(SplittableRandom rng) {
      return Codec.NODES.textNode(files.get(rng.nextInt(files.size())));
    }
  }

  /** A non-empty array of any JSON values (numbers, strings, objects). */
  Codec<List<JsonNode>> VALUE_LIST = new Codec<>() {
    @Override
    public List<JsonNode> decode(JsonNode n) {
      if (!n.isArray()) {
        return null;
      }
      List<JsonNode> out = new ArrayList<>();
      n.forEach(out::add);
      return List.copyOf(out);
    }

    @Override
    public JsonNode encode(List<JsonNode> v) {
      ArrayNode a = NODES.arrayNode();
      v.forEach(a::add);
      return a;
    }

    @Override
    public String expected() {
      return "an array of values";
    }
  };
}
