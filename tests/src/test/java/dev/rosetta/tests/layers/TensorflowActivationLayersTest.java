package dev.rosetta.tests.layers;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class TensorflowActivationLayersTest extends ActivationLayerCases {
  @Override
  Backend backend() {
    return Backends.get("tensorflow");
  }
}
