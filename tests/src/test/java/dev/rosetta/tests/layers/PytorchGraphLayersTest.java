package dev.rosetta.tests.layers;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class PytorchGraphLayersTest extends GraphLayerCases {
  @Override
  Backend backend() {
    return Backends.get("pytorch");
  }
}
