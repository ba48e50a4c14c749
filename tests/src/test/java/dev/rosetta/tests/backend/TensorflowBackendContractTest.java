package dev.rosetta.tests.backend;

import dev.rosetta.train.Backend;
import dev.rosetta.train.Backends;

class TensorflowBackendContractTest extends BackendContractCases {
  @Override
  Backend backend() {
    return Backends.get("tensorflow");
  }
}
