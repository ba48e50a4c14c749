package dev.rosetta.tests.backend;

import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;

class PytorchBackendContractTest extends BackendContractCases {
  @Override
  Backend backend() {
    return Backends.get("pytorch");
  }
}
