package dev.rosetta.tests.measure;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rosetta.data.Batch;
import dev.rosetta.data.BatchOrder;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.data.IdxReader;
import dev.rosetta.parity.ParityReport;
import dev.rosetta.parity.ParityRunner;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.backend.Backends;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.train.TrainingListener;
import dev.rosetta.train.TrainingLoop;
import dev.rosetta.train.TrainingResult;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.Tensor;
import dev.rosetta.weights.WeightSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Measurements on the full Fashion-MNIST, run by hand (the class name keeps it out of the
 * default test run; it takes from seconds to minutes depending on the machine's load):
 *
 * <pre>
 * mvn -B -q -o test -pl tests -am -Dtest=FashionMnistParityProbe#parity -Dsurefire.failIfNoSpecifiedTests=false \
 *     -DargLine="-Dopts=sgd0.01,sgd0.1,adam0.001"
 * mvn ... -Dtest=FashionMnistParityProbe#throughput -DargLine="-Dbackend=tensorflow -Depochs=3"
 * mvn ... -Dtest=FashionMnistParityProbe#noiseFloor -DargLine="-Dopt=sgd0.1"
 * </pre>
 */
class FashionMnistParityProbe {
  static final Path DATA = Path.of(System.getProperty("data", "/usr/share/datasets/fashion-mnist"));

  /** The examples' seed MLP: 784-128-ReLU-64-ReLU-10, cross-entropy, batch 64, seed 42. */
  static CheckedSpec seedMlp(Optimizer opt, int epochs) {
    return ModelSpec.builder().optName("fashion-mlp").setInput(784)
        .dense("fc1", 128).relu("relu1").dense("fc2", 64).relu("relu2").dense("fc3", 10)
        .setLoss(new Loss.CrossEntropy()).setOptimizer(opt).optTraining(epochs, 64, 42, true).build();
  }

  static Optimizer optimizer(String o) {
    return o.startsWith("adam")
        ? new Optimizer.Adam(Double.parseDouble(o.substring(4)))
        : new Optimizer.Sgd(Double.parseDouble(o.substring(3)));
  }

  static DataSplit data() {
    assumeTrue(Files.isDirectory(DATA), "no Fashion-MNIST at " + DATA);
    DataSplit d = IdxReader.readDirectory(DATA);
    return new DataSplit(d.train().reshapedTo(Shape.of(784)), d.test().reshapedTo(Shape.of(784)));
  }

  @Test
  void parity() {
    DataSplit d = data();
    for (String o : System.getProperty("opts", "sgd0.01,sgd0.1,adam0.001").split(",")) {
      long t0 = System.nanoTime();
      ParityReport r =
          new ParityRunner(seedMlp(optimizer(o), 1), d.train(), d.test(), Backends.get("pytorch"), Backends.get("tensorflow"))
              .optSteps(20).run();
      System.out.printf(Locale.ROOT, "=== %s, 1 epoch (%.1f s)%n%s%s%n", o, (System.nanoTime() - t0) / 1e9, r.toTable(), r.toJson());
    }
  }

  @Test
  void throughput() {
    DataSplit d = data();
    CheckedSpec spec = seedMlp(new Optimizer.Sgd(0.01), Integer.getInteger("epochs", 3));
    try (TrainableModel m = Backends.get(System.getProperty("backend", "tensorflow")).create(spec, Initializer.initialize(spec))) {
      TrainingResult r = new TrainingLoop(spec, d.train(), null).addListener(new TrainingListener() {
        @Override
        public void onEpoch(EpochEvent e) {
          System.out.printf(Locale.ROOT, "%s epoch %d loss %.4f %.0f samples/s rss %d MB%n",
              m.backend(), e.epoch(), e.trainLoss(), e.samplesPerSecond(), rssMegabytes());
        }
      }).run(m);
      System.out.printf(Locale.ROOT, "%s overall %.0f samples/s (TrainingLoop, batch gathering included)%n", m.backend(), r.samplesPerSecond());
      Batch b = d.train().slice(0, 64);
      long t0 = System.nanoTime();
      for (int i = 1; i <= 2000; i++) {
        m.trainStep(b, i);
      }
      System.out.printf(Locale.ROOT, "%s trainStep alone on one batch: %.0f samples/s%n", m.backend(), 2000 * 64 / ((System.nanoTime() - t0) / 1e9));
    }
  }

  /**
   * Is a drift a bug or float32 chaos? Trains the reference (PyTorch), PyTorch again from
   * weights nudged by one ulp in every 7th value, and TensorFlow, on the same batches; if
   * PyTorch drifts from itself as much as TensorFlow drifts from it, no implementation can do
   * better in float32.
   */
  @Test
  void noiseFloor() {
    DataSplit d = data();
    CheckedSpec spec = seedMlp(optimizer(System.getProperty("opt", "sgd0.1")), 1);
    WeightSet init = Initializer.initialize(spec);
    Map<String, Tensor> nudged = new LinkedHashMap<>();
    for (var e : init.tensors().entrySet()) {
      float[] v = e.getValue().data().clone();
      for (int i = 0; i < v.length; i += 7) {
        v[i] = Math.nextUp(v[i]);
      }
      nudged.put(e.getKey(), new Tensor(e.getValue().shape(), v));
    }
    Dataset train = d.train();
    try (TrainableModel pt = Backends.get("pytorch").create(spec, init);
        TrainableModel ptNudged = Backends.get("pytorch").create(spec, new WeightSet(nudged));
        TrainableModel tf = Backends.get("tensorflow").create(spec, init)) {
      int[] order = BatchOrder.forEpoch(train.size(), 42, 1, true);
      int batches = BatchOrder.batchCount(train.size(), 64);
      for (int s = 1; s <= batches; s++) {
        Batch b = train.batch(order, (s - 1) * 64, Math.min(train.size(), s * 64));
        pt.trainStep(b, s);
        ptNudged.trainStep(b, s);
        tf.trainStep(b, s);
        if (s == 1 || s % 100 == 0 || s == batches) {
          System.out.printf(Locale.ROOT, "step %4d weights rel L2: tf vs pt %.2e | pt(1 ulp) vs pt %.2e | tf vs pt(1 ulp) %.2e%n", s,
              ParityRunner.relL2(pt.weights(), tf.weights()), ParityRunner.relL2(pt.weights(), ptNudged.weights()),
              ParityRunner.relL2(ptNudged.weights(), tf.weights()));
        }
      }
    }
  }

  static long rssMegabytes() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
