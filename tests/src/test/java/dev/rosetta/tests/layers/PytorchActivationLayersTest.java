package dev.rosetta.tests.layers;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class PytorchActivationLayersTest extends ActivationLayerCases {
  @Override
  Backend backend() {
    return Backends.get("pytorch");
  }
}
