package dev.rosetta.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kind tables are the sealed interfaces' permits clauses, and the JSON reader uses them. */
class KindsTest {
  private static Set<Class<?>> permitted(Class<?> family) {
    return Set.of(family.getPermittedSubclasses());
  }

  private static <B> Set<Class<?>> covered(Kinds<B> kinds) {
    Set<Class<?>> out = new HashSet<>();
    kinds.all().forEach(k -> out.add(k.type()));
    return out;
  }

  @Test
  void everyPermittedRecordIsAKind() {
    assertEquals(permitted(Layer.class), covered(Kinds.layers()));
    assertEquals(permitted(Loss.class), covered(Kinds.losses()));
    assertEquals(permitted(Optimizer.class), covered(Kinds.optimizers()));
  }

  @Test
  void aRecordNamesItsOwnKind() {
    assertEquals("gelu", new Layer.Gelu("g").type());
    assertEquals(Layer.Silu.KIND, new Layer.Silu("s").kind());
    assertTrue(new Layer.Add("a").joins());
    assertTrue(!new Layer.Dense("d", 3).joins());
    assertEquals("adam", new Optimizer.Adam(0.1).type());
    assertEquals("cross_entropy", new Loss.CrossEntropy().type());
  }

  @Test
  void anUnknownTypeListsEveryKnownKind() {
    ValidationReport r = SpecJson.parseWithReport(
        "{\"format\": \"rosetta/v1\", \"input\": {\"shape\": [4]}, \"layers\": [{\"type\": \"swish\", \"name\": \"s\"}],"
            + " \"loss\": {\"type\": \"mse\"}, \"optimizer\": {\"type\": \"sgd\", \"learning_rate\": 0.1}}", "t").report();
    String message = r.errors().get(0).message();
    for (String name : Kinds.layers().names()) {
      assertTrue(message.contains(name), message);
    }
    assertEquals("$.layers[0].type", r.errors().get(0).path());
  }

  @Test
  void aKindsFieldsAreWhatTheWriterEmitsAndTheReaderAllows() {
    CheckedSpec s = ModelSpec.builder().setInput(4).add(new Layer.Gelu("g", Layer.Gelu.Approximation.TANH))
        .setLoss(new Loss.Mse()).setOptimizer(new Optimizer.Adam(0.01)).build();
    var layer = SpecJson.toTree(s.spec()).get("layers").get(0);
    List<String> keys = new java.util.ArrayList<>();
    layer.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("type", "name", "approximate"), keys);
    assertEquals("tanh", layer.get("approximate").asText());
    assertEquals(s, SpecJson.parse(SpecJson.write(s), "round trip"));
  }
}
