package dev.rosetta.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.spec.Codec;
import dev.rosetta.spec.Field;
import dev.rosetta.spec.Kind;
import dev.rosetta.spec.Rule;
import dev.rosetta.spec.Schema;
import dev.rosetta.weights.Initializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** How a sweep picks its trials ({@code search}): every combination, or seeded random draws. */
public sealed interface Search permits Search.Grid, Search.Random {

  Kind<? extends Search> kind();

  /** Each trial's value of each parameter, keyed by the parameter's place. */
  List<Map<Integer, JsonNode>> assign(List<Parameter> parameters);

  /** Whether parameters that draw values (not just list them) may take part. */
  boolean draws();

  /** Every combination of the parameters' listed values, the first parameter varying slowest. */
  record Grid() implements Search {
    public static final Kind<Grid> KIND = Kind.of("grid", Grid.class, Schema.of(Grid::new));

    @Override
    public Kind<Grid> kind() {
      return KIND;
    }

    @Override
    public boolean draws() {
      return false;
    }

    @Override
    public List<Map<Integer, JsonNode>> assign(List<Parameter> parameters) {
      List<Map<Integer, JsonNode>> out = new ArrayList<>();
      out.add(new LinkedHashMap<>());
      for (int p = 0; p < parameters.size(); p++) {
        List<Map<Integer, JsonNode>> next = new ArrayList<>();
        for (Map<Integer, JsonNode> a : out) {
          for (JsonNode v : parameters.get(p).grid()) {
            Map<Integer, JsonNode> b = new LinkedHashMap<>(a);
            b.put(p, v);
            next.add(b);
          }
        }
        out = next;
      }
      return out;
    }
  }

  /**
   * {@code trials} draws, each parameter drawn independently from a SplittableRandom stream keyed
   * by the seed, the trial and the parameter's place, so a trial's values do not depend on how
   * many trials there are or in what order they run.
   */
  record Random(int trials, long seed) implements Search {
    private static final Field<Random, Integer> TRIALS = Field.of("trials", Codec.INT, Random::trials).must(Rule.POSITIVE);
    private static final Field<Random, Long> SEED = Field.of("seed", Codec.LONG, Random::seed).orElse(0L);
    public static final Kind<Random> KIND = Kind.of("random", Random.class, Schema.of(Random::new, TRIALS, SEED));

    @Override
    public Kind<Random> kind() {
      return KIND;
    }

    @Override
    public boolean draws() {
      return true;
    }

    @Override
    public List<Map<Integer, JsonNode>> assign(List<Parameter> parameters) {
      List<Map<Integer, JsonNode>> out = new ArrayList<>();
      for (int t = 0; t < trials; t++) {
        Map<Integer, JsonNode> a = new LinkedHashMap<>();
        for (int p = 0; p < parameters.size(); p++) {
          a.put(p, parameters.get(p).draw(new SplittableRandom(Initializer.streamSeed(seed, "sweep/trial/" + t + "/parameter/" + p))));
        }
        out.add(a);
      }
      return out;
    }
  }
}
