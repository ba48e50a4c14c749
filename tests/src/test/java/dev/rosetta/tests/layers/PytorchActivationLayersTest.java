package dev.rosetta.tests.layers;

import dev.rosetta.train.Backend;
import dev.rosetta.train.Backends;

class PytorchActivationLayersTest extends ActivationLayerCases {
  @Override
  Backend backend() {
    return Backends.get("pytorch");
  }
}
