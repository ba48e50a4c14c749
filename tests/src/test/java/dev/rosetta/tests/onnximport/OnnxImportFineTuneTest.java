package dev.rosetta.tests.onnximport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.backend.Backends;
import dev.rosetta.converter.ImportedModel;
import dev.rosetta.converter.OnnxImport;
import dev.rosetta.data.DataSources;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Training;
import dev.rosetta.testkit.SyntheticData;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every imported fixture fine-tunes on PyTorch and TensorFlow in lockstep from its imported
 * weights, within the parity contract: one epoch of 8 batches of 16 (Fashion-MNIST images for
 * the image classifiers, seeded blobs for the others), weights compared after 4 steps and at the
 * end, accuracy on 400 held-out samples. Small, so the suite stays fast; the full-data
 * measurement is a command (docs/import.md).
 */
class OnnxImportFineTuneTest {
  static final int TRAIN = 128;
  static final int TEST = 400;
  private static DataSplit fashion;

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.rosetta.tests.onnximport.ImportFixtures#importable")
  void fineTunesInLockstepOnBothBackendsWithinTheContract(ImportFixtures.Fixture f) throws IOException {
    ImportedModel m = OnnxImport.read(f.path());
    CheckedSpec spec = m.spec().withTraining(new Training(1, 16, 7, true));
    Dataset train;
    Dataset test;
    if (spec.input().size() == 28 * 28 && spec.outputSize() >= 10) {
      DataSplit d = fashion();
      train = d.train().reshapedTo(spec.input()).head(TRAIN);
      test = d.test().reshapedTo(spec.input()).head(TEST);
    } else {
      train = SyntheticData.blobs(spec.input(), spec.outputSize(), TRAIN, 11);
      test = SyntheticData.blobs(spec.input(), spec.outputSize(), TEST, 12);
    }
    ParityReport r = new ParityRunner(spec, train, test, Backends.get("pytorch"), Backends.get("tensorflow"))
        .optInitialWeights(m.weights()).optNoiseFloor(false).optSteps(4).run();
    System.out.println("fine-tune parity [" + f.file() + "] " + r.toJson());
    assertEquals(TRAIN / 16, r.steps());
    assertTrue(r.pass(), () -> f.file() + "\n" + r.toTable());
  }

  private static synchronized DataSplit fashion() {
    if (fashion == null) {
      fashion = DataSources.load(null, null);
    }
    return fashion;
  }
}
