package dev.rosetta.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.converter.OnnxExport;
import dev.rosetta.converter.OnnxInspector;
import dev.rosetta.engine.onnxruntime.OnnxRuntimeModel;
import dev.rosetta.engine.onnxruntime.OnnxVerifier;
import dev.rosetta.data.Batch;
import dev.rosetta.data.DataSources;
import dev.rosetta.data.DataSplit;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.testkit.FakeBackend;
import dev.rosetta.spec.Init;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.Loss;
import dev.rosetta.spec.ModelSpec;
import dev.rosetta.spec.Optimizer;
import dev.rosetta.spec.Shape;
import dev.rosetta.spec.SpecJson;
import dev.rosetta.spec.Kinds;
import dev.rosetta.backend.Backend;
import dev.rosetta.backend.Backends;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.checkpoint.Provenance;
import dev.rosetta.backend.InferenceModel;
import dev.rosetta.backend.TrainableModel;
import dev.rosetta.weights.Initializer;
import dev.rosetta.weights.WeightSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ONNX parity harness: every example spec and one small model per layer kind, trained a few
 * steps on each available backend, exported, and run in ONNX Runtime at batch sizes 1 and 37.
 * Outputs must match the backend's own inference to the parity contract's 1e-5. Backends come
 * from {@link Backends#available()}, so a backend on the test class path joins the suite by
 * itself.
 */
class OnnxParityTest {
  static final int TRAIN_STEPS = 3;

  /**
   * One model per layer kind, keyed by the kind it exists for. A kind's case puts the layer
   * between trainable dense layers so that training changes what the exported graph computes.
   */
  static Map<String, List<ExampleSpecs.Named>> layerCases() {
    Map<String, List<ExampleSpecs.Named>> cases = new LinkedHashMap<>();
    cases.put("dense", List.of(
        named("dense", base(6).dense("fc", 4)),
        named("dense_no_bias", base(6).add(new Layer.Dense("fc", 4, false, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))),
        // [3, 4] samples: Gemm takes matrices only, so these lower to MatMul (+ Add).
        named("dense_3d", base(3, 4).dense("fc", 5).setLoss(new Loss.Mse())),
        named("dense_3d_no_bias", base(3, 4).add(new Layer.Dense("fc", 5, false, Init.XAVIER_UNIFORM, Init.ZEROS)).setLoss(new Loss.Mse()))));
    cases.put("relu", List.of(named("relu", base(6).dense("fc1", 8).relu("act").dense("fc2", 4))));
    cases.put("sigmoid", List.of(named("sigmoid", base(6).dense("fc1", 8).sigmoid("act").dense("fc2", 4))));
    cases.put("tanh", List.of(named("tanh", base(6).dense("fc1", 8).tanh("act").dense("fc2", 4))));
    cases.put("softmax", List.of(named("softmax", base(6).dense("fc1", 4).softmax("probs").setLoss(new Loss.Mse()))));
    cases.put("flatten", List.of(
        named("flatten", base(2, 3, 4).flatten("flat").dense("fc", 4)),
        // A dense layer on [2, 3, 4] (MatMul broadcasting over two leading axes), then flatten.
        named("flatten_after_dense", base(2, 3, 4).dense("proj", 5).flatten("flat").dense("fc", 4))));
    cases.put("dropout", List.of(
        named("dropout", base(6).dense("fc1", 16).relu("act").dropout("drop", 0.5).dense("fc2", 4))));
    cases.put("leaky_relu", List.of(
        named("leaky_relu", base(6).dense("fc1", 8).leakyRelu("act", 0.1).dense("fc2", 4)),
        named("leaky_relu_default", base(6).dense("fc1", 8).add(new Layer.LeakyRelu("act")).dense("fc2", 4))));
    cases.put("elu", List.of(
        named("elu", base(6).dense("fc1", 8).add(new Layer.Elu("act")).dense("fc2", 4)),
        named("elu_alpha", base(6).dense("fc1", 8).elu("act", 0.3).dense("fc2", 4))));
    cases.put("gelu", List.of(
        named("gelu", base(6).dense("fc1", 8).gelu("act").dense("fc2", 4)),
        named("gelu_tanh", base(6).dense("fc1", 8).gelu("act", Layer.Gelu.Approximation.TANH).dense("fc2", 4))));
    cases.put("silu", List.of(named("silu", base(6).dense("fc1", 8).silu("act").dense("fc2", 4))));
    cases.put("reshape", List.of(
        // [12] -> [3, 4] -> dense on the last axis -> flatten: the reshape's order matters.
        named("reshape", base(12).reshape("grid", 3, 4).dense("fc1", 5).flatten("flat").dense("fc2", 4)),
        named("reshape_inferred", base(2, 3, 4).reshape("grid", -1, 6).dense("fc1", 5).reshape("back", 20).dense("fc2", 4))));
    cases.put("conv2d", List.of(
        // flatten after conv: the exported graph must flatten in NCHW order as the backends do.
        named("conv2d", base(2, 6, 6).conv2d("conv", 3, 3).relu("act").flatten("flat").dense("fc", 4)),
        named("conv2d_grouped_strided_dilated", base(4, 7, 7)
            .add(new Layer.Conv2d("conv", 4, new Layer.Hw(3, 2), new Layer.Hw(2, 1), Layer.Padding.explicit(1, 2),
                new Layer.Hw(1, 2), 2, false, Init.UNIFORM_FAN_IN, Init.UNIFORM_FAN_IN))
            .flatten("flat").dense("fc", 4)),
        named("conv2d_same_even_kernel", base(2, 5, 5)
            .add(new Layer.Conv2d("conv", 3, Layer.Hw.of(2), Layer.Hw.of(1), Layer.Padding.sameAsInput(),
                Layer.Hw.of(1), 1, true, Init.KAIMING_UNIFORM, Init.ZEROS))
            .flatten("flat").dense("fc", 4))));
    cases.put("max_pool2d", List.of(
        named("max_pool2d", base(2, 6, 6).conv2d("conv", 3, 3).maxPool2d("pool", 2).flatten("flat").dense("fc", 4)),
        named("max_pool2d_padded_strided", base(2, 7, 6).conv2d("conv", 3, 1)
            .add(new Layer.MaxPool2d("pool", new Layer.Hw(3, 2), new Layer.Hw(2, 1), new Layer.Hw(1, 1)))
            .flatten("flat").dense("fc", 4))));
    cases.put("avg_pool2d", List.of(
        named("avg_pool2d", base(2, 6, 6).conv2d("conv", 3, 3).avgPool2d("pool", 2).flatten("flat").dense("fc", 4)),
        // Padding counts in the divisor; [1, 0] is the case ONNX Runtime's AveragePool-19 gets wrong.
        named("avg_pool2d_padded", base(2, 7, 6).conv2d("conv", 3, 1)
            .add(new Layer.AvgPool2d("pool", Layer.Hw.of(2), Layer.Hw.of(1), new Layer.Hw(1, 0)))
            .flatten("flat").dense("fc", 4))));
    cases.put("global_avg_pool2d", List.of(
        named("global_avg_pool2d", base(2, 5, 6).conv2d("conv", 6, 3).relu("act").globalAvgPool2d("gap").dense("fc", 4))));
    // Training steps move the running statistics away from (0, 1), so the export must carry them.
    cases.put("batch_norm", List.of(
        named("batch_norm_image", base(2, 6, 6).conv2d("conv", 3, 3).batchNorm("bn").relu("act").flatten("flat").dense("fc", 4)),
        named("batch_norm_vector", base(6).dense("fc1", 8).add(new Layer.BatchNorm("bn", 0.3, 1e-3)).relu("act").dense("fc2", 4))));
    cases.put("layer_norm", List.of(
        named("layer_norm", base(6).dense("fc1", 8).layerNorm("ln").dense("fc2", 4)),
        named("layer_norm_image", base(2, 4, 4).conv2d("conv", 3, 1).add(new Layer.LayerNorm("ln", 3, 1e-5)).flatten("flat").dense("fc", 4))));
    cases.put("add", List.of(
        named("add_skip", base(2, 6, 6).conv2d("conv", 2, 1).relu("act").addOf("sum", "act", "input").flatten("flat").dense("fc", 4))));
    cases.put("concat", List.of(
        named("concat_branches", base(6).dense("a", 4).add(new Layer.Dense("b", 3), "input").concat("cat", -1, "a", "b").relu("act").dense("fc", 4))));
    // Token ids [batch, sequence] in, per-position logits out: Gather, the length left symbolic.
    cases.put("embedding", List.of(
        named("embedding", tokens(5).embedding("tok", 9, 6).dense("head", 9))));
    cases.put("position_embedding", List.of(
        named("position_embedding", tokens(5).embedding("tok", 9, 6).positionEmbedding("pos", 8).gelu("act").dense("head", 9))));
    cases.put("multi_head_attention", List.of(
        named("attention_causal", tokens(6).embedding("tok", 9, 8).positionEmbedding("pos", 6).attention("attn", 2, true).dense("head", 9)),
        named("attention_bidirectional_no_bias", tokens(6).embedding("tok", 9, 8).positionEmbedding("pos", 6)
            .add(new Layer.MultiHeadAttention("attn", 4, false, false, 0.2, Init.XAVIER_UNIFORM, Init.UNIFORM_FAN_IN, Init.ZEROS))
            .dense("head", 9)),
        named("tiny_gpt", ModelSpec.builder().optName("tiny_gpt").setTokenInput(6)
            .embedding("tok", 11, 8).positionEmbedding("pos", 8).layerNorm("ln1").attention("attn", 2, true)
            .addOf("res1", "attn", "pos").layerNorm("ln2").dense("fc1", 16).gelu("gelu", Layer.Gelu.Approximation.TANH)
            .dense("fc2", 8).addOf("res2", "fc2", "res1").layerNorm("lnf").dense("head", 11)
            .setLoss(new Loss.CrossEntropy()).setOptimizer(new Optimizer.Adam(0.01)).optTraining(1, 16, 11, true))));
    return cases;
  }

  static ModelSpec.Builder base(int... input) {
    return ModelSpec.builder().setInput(input)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(new Optimizer.Sgd(0.1, 0.9, 0, false))
        .optTraining(1, 16, 11, true);
  }

  /** A model on sequences of {@code length} token ids, with the next-token loss. */
  static ModelSpec.Builder tokens(int length) {
    return ModelSpec.builder().setTokenInput(length)
        .setLoss(new Loss.CrossEntropy())
        .setOptimizer(new Optimizer.Sgd(0.1, 0.9, 0, false))
        .optTraining(1, 16, 11, true);
  }

  static ExampleSpecs.Named named(String id, ModelSpec.Builder b) {
    return new ExampleSpecs.Named(id, b.optName(id).build());
  }

  static Stream<Arguments> cases() {
    List<ExampleSpecs.Named> specs = new ArrayList<>(ExampleSpecs.all());
    layerCases().values().forEach(specs::addAll);
    List<Arguments> out = new ArrayList<>();
    for (Backend backend : Backends.available()) {
      if (FakeBackend.isTestDouble(backend)) {
        continue;
      }
      for (ExampleSpecs.Named s : specs) {
        out.add(Arguments.of(backend.name(), s));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void exportedModelComputesWhatTheBackendComputes(String backendName, ExampleSpecs.Named c, @TempDir Path dir)
      throws IOException {
    Backend backend = Backends.get(backendName);
    CheckedSpec spec = c.spec();
    DataSplit data = dataFor(spec);
    WeightSet initial = Initializer.initialize(spec);
    WeightSet trained;
    try (TrainableModel model = backend.create(spec, initial)) {
      int batch = Math.min(spec.training().batchSize(), data.train().size());
      for (int step = 1; step <= TRAIN_STEPS; step++) {
        int from = (step - 1) * batch % (data.train().size() - batch + 1);
        Batch b = data.train().slice(from, from + batch);
        assertTrue(Float.isFinite(model.trainStep(b, step)));
      }
      trained = model.weights();
    }
    assertNotEquals(initial, trained, "training must change the weights, or the check proves less");

    Map<String, String> provenance = OnnxExport.provenance(
        new Provenance(backend.name(), backend.versions(), spec.training().seed(), 1, TRAIN_STEPS, Map.of()));
    Path file = dir.resolve(c.id() + ".onnx");
    OnnxExport.export(spec, trained, provenance, file);
    Map<String, String> meta = OnnxInspector.inspect(file).metadata();
    assertEquals(SpecJson.hash(spec), meta.get("spec_hash"));
    assertEquals(backendName, meta.get("backend"));
    assertEquals(Integer.toString(TRAIN_STEPS), meta.get("step"));

    try (InferenceModel reference = backend.inference(spec, trained)) {
      OnnxVerifier.Verification ort = OnnxVerifier.verify(file, spec, reference, data.test());
      assertEquals(List.of(1, 37), List.copyOf(ort.maxAbsDiff().keySet()));
      assertTrue(ort.pass(), backendName + " vs ONNX Runtime on " + c.id() + ": " + ort.toText());
      System.out.println("PARITY " + backendName + " " + c.id() + " " + ort.toText());

      // The DJL face of the same file, which `rosetta eval --backend onnxruntime` uses.
      try (OnnxRuntimeModel djl = OnnxRuntimeModel.load(file, spec)) {
        OnnxVerifier.Verification viaDjl = data.test().hasTokens()
            ? OnnxVerifier.compareTokens(djl, reference, spec, java.util.Arrays.copyOf(data.test().tokens(), 37 * data.test().featureSize()))
            : OnnxVerifier.compare(djl, reference, spec, java.util.Arrays.copyOf(data.test().features(), 37 * data.test().featureSize()));
        assertTrue(viaDjl.pass(), backendName + " vs ONNX Runtime through DJL on " + c.id() + ": " + viaDjl.toText());
      }
    }
  }

  /** A layer kind the validator accepts but this suite does not exercise fails here, by name. */
  @Test
  void everyLayerTypeHasACase() {
    TreeSet<String> missing = new TreeSet<>(Kinds.layers().names());
    missing.removeAll(layerCases().keySet());
    assertEquals(new TreeSet<>(), missing, "layer types with no ONNX parity case: add them to OnnxParityTest.layerCases()");
    layerCases().forEach((type, specs) -> specs.forEach(s ->
        assertTrue(s.spec().layers().stream().anyMatch(l -> l.type().equals(type)), s.id() + " does not contain a " + type + " layer")));
  }

  @Test
  void atLeastOneBackendIsOnTheClassPath() {
    assertFalse(Backends.available().isEmpty());
    assertTrue(Backends.names().contains("pytorch"), "available: " + Backends.names());
  }

  /**
   * Real data where the spec reads 784 values (the embedded Fashion-MNIST subset), seeded
   * synthetic data otherwise: Gaussian features, labels or targets from the spec's output shape.
   */
  static DataSplit dataFor(CheckedSpec spec) {
    if (spec.input().size() == 784) {
      DataSplit fm = DataSources.load(null, null);
      return new DataSplit(fm.train().head(256).reshapedTo(spec.input()), fm.test().head(64).reshapedTo(spec.input()));
    }
    return new DataSplit(synthetic(spec, 128, 1), synthetic(spec, 64, 2));
  }

  static Dataset synthetic(CheckedSpec spec, int n, long salt) {
    SplittableRandom r = new SplittableRandom(spec.training().seed() * 31 + salt);
    if (spec.takesTokens()) {
      int length = spec.input().dim(0);
      int vocab = spec.tokenReaders().stream().mapToInt(Layer.Embedding::vocabSize).min().orElseThrow();
      int classes = spec.output().dim(-1);
      int perSample = spec.output().rank() == 2 ? length : 1;
      int[] x = new int[n * length];
      int[] y = new int[n * perSample];
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextInt(vocab);
      }
      for (int i = 0; i < y.length; i++) {
        y[i] = r.nextInt(classes);
      }
      return Dataset.tokens(length, x, y, "synthetic " + spec.name());
    }
    int size = (int) spec.input().size();
    float[] x = new float[n * size];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    Shape out = spec.output();
    if (spec.loss() instanceof Loss.CrossEntropy) {
      int[] y = new int[n];
      for (int i = 0; i < n; i++) {
        y[i] = r.nextInt(out.dim(0));
      }
      return Dataset.classification(spec.input(), x, y, "synthetic " + spec.name());
    }
    int width = (int) out.size();
    float[] t = new float[n * width];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) r.nextDouble();
    }
    return new Dataset(spec.input(), x, null, t, width, "synthetic " + spec.name());
  }
}
