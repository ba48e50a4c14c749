package dev.rosetta.tests.layers;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class TensorflowSequenceLayersTest extends SequenceLayerCases {
  @Override
  Backend backend() {
    return Backends.get("tensorflow");
  }
}
