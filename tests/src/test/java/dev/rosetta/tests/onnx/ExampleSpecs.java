package dev.rosetta.tests.onnx;

import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.tabular.CsvTable;
import dev.rosetta.tabular.Preprocessor;
import dev.rosetta.tabular.RawRows;
import dev.rosetta.tabular.TabularData;
import dev.rosetta.testkit.TestSpecs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The specs the ONNX suites run on: every file in examples/, plus one using every layer kind. */
final class ExampleSpecs {
  private ExampleSpecs() {}

  /** A spec and the id its golden file and test names use. */
  record Named(String id, CheckedSpec spec) {
    @Override
    public String toString() {
      return id;
    }
  }

  static Path examplesDir() {
    String dir = System.getProperty("rosetta.examplesDir");
    Path p = dir != null ? Path.of(dir) : Path.of("..", "examples");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("examples folder not found at " + p.toAbsolutePath() + " (set -Drosetta.examplesDir)");
    }
    return p;
  }

  static List<Named> examples() {
    List<Named> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(examplesDir())) {
      for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        String name = f.getFileName().toString();
        out.add(new Named(name.substring(0, name.length() - ".json".length()), SpecJson.read(f)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no example specs in " + examplesDir().toAbsolutePath());
    }
    return out;
  }

  /** The penguins spec's preprocessing fitted on the whole penguins table (for exports that read raw rows). */
  static Preprocessor penguinsPreprocessor(CheckedSpec penguins) {
    RawRows rows = RawRows.read(CsvTable.read(examplesDir().resolve("data/penguins.csv")), penguins.spec().preprocess(), true);
    return TabularData.fit(penguins, rows, null, 0, penguins.training().seed()).preprocessor();
  }

  static Named everyLayer() {
    return new Named("every-layer", TestSpecs.everyLayer());
  }

  static Named everySequenceLayer() {
    return new Named("every-sequence-layer", TestSpecs.everySequenceLayer());
  }

  /** The examples and the every-layer specs (float features, token ids). */
  static List<Named> all() {
    List<Named> out = new ArrayList<>(examples());
    out.add(everyLayer());
    out.add(everySequenceLayer());
    return out;
  }
}
