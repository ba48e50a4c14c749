package dev.rosetta.engine.pytorch;

import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The TorchScript modules the engine ships as resources beside this class ({@code *.pt}, each
 * written by its script in {@code src/main/python}): libtorch compiles their code when they load.
 */
final class TorchScriptModules {
  private TorchScriptModules() {}

  /** Loads {@code resource}; the module is owned by {@code manager} and closes with it. */
  static PtSymbolBlock load(String resource, PtNDManager manager) {
    try (InputStream in = TorchScriptModules.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is missing from the PyTorch engine's jar");
      }
      return JniUtils.loadModule(manager, in, false, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
