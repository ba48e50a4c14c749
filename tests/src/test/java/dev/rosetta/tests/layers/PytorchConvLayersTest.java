package dev.rosetta.tests.layers;

import dev.rosetta.train.Backend;
import dev.rosetta.train.Backends;

class PytorchConvLayersTest extends ConvLayerCases {
  @Override
  Backend backend() {
    return Backends.get("pytorch");
  }
}
