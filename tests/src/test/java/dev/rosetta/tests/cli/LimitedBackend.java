package dev.rosetta.tests.cli;

import dev.rosetta.spec.Layer;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.SpecIssue;
import dev.rosetta.train.Backend;
import dev.rosetta.train.Backends;
import dev.rosetta.train.TrainableModel;
import dev.rosetta.weights.WeightSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test-only backend, registered through ServiceLoader like the real ones: PyTorch that claims
 * it cannot lower dropout. It proves that what a backend lacks is rejected at validation, before
 * any training; suites that run every available backend still get a working model from it.
 */
public final class LimitedBackend implements Backend {
  @Override
  public String name() {
    return "limited";
  }

  @Override
  public Map<String, String> versions() {
    return Map.of();
  }

  @Override
  public List<SpecIssue> unsupported(ModelSpec spec) {
    List<SpecIssue> issues = new ArrayList<>();
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer l = spec.layers().get(i);
      if (l instanceof Layer.Dropout) {
        issues.add(SpecIssue.error("$.layers[" + i + "]", l.name(),
            "layer '" + l.name() + "' (dropout) is not supported by the limited backend"));
      }
    }
    return issues;
  }

  @Override
  public TrainableModel create(ModelSpec spec, WeightSet weights) {
    return Backends.get("pytorch").create(spec, weights);
  }
}
