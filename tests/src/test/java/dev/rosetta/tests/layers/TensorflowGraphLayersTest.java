package dev.rosetta.tests.layers;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class TensorflowGraphLayersTest extends GraphLayerCases {
  @Override
  Backend backend() {
    return Backends.get("tensorflow");
  }
}
