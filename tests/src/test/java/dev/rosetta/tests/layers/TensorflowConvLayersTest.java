package dev.rosetta.tests.layers;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class TensorflowConvLayersTest extends ConvLayerCases {
  @Override
  Backend backend() {
    return Backends.get("tensorflow");
  }
}
