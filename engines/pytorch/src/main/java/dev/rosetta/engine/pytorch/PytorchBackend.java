package dev.rosetta.engine.pytorch;

import ai.djl.engine.Engine;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.train.Backend;
import dev.rosetta.train.TrainableModel;
import dev.rosetta.weights.WeightSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** PyTorch through DJL: DJL blocks on libtorch, libtorch autograd, Rosetta's optimizer math. */
public final class PytorchBackend implements Backend {
  public static final String NAME = "pytorch";

  /** DJL must never download: libtorch comes from the pytorch-native-cpu jar. */
  static Engine engine() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    return Engine.getEngine("PyTorch");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, String> versions() {
    Engine e = engine();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("djl", Engine.getDjlVersion());
    v.put("pytorch", e.getVersion());
    return v;
  }

  @Override
  public List<SpecIssue> unsupported(ModelSpec spec) {
    return List.of();
  }

  @Override
  public TrainableModel create(ModelSpec spec, WeightSet weights) {
    weights.requireMatches(spec, "initial weights");
    return new PytorchModel(spec, weights, engine());
  }
}
