package dev.rosetta.tests.layers;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class PytorchSequenceLayersTest extends SequenceLayerCases {
  @Override
  Backend backend() {
    return Backends.get("pytorch");
  }
}
