package dev.rosetta.tests.layers;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class PytorchConvLayersTest extends ConvLayerCases {
  @Override
  Backend backend() {
    return Backends.get("pytorch");
  }
}
