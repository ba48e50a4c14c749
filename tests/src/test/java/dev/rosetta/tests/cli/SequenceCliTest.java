package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A character model end to end through the command line: trained on a text file on PyTorch and
 * on TensorFlow, the vocabulary stored with the checkpoint and the ONNX file, greedy and seeded
 * sampled generation giving the same text on PyTorch, TensorFlow and ONNX Runtime whichever
 * backend trained it, and every kind of bad token input refused with exit 2 and its place.
 */
class SequenceCliTest {
  /** A small causal model: [16] ids, width 16, 2 heads, vocabulary of up to 40 characters. */
  static final String SPEC = """
      {"format": "rosetta/v1", "name": "tiny-char",
       "input": {"shape": [16], "dtype": "int64"},
       "layers": [
         {"type": "embedding", "name": "tok", "vocab_size": 40, "dim": 16},
         {"type": "position_embedding", "name": "pos", "max_length": 16},
         {"type": "layer_norm", "name": "ln1"},
         {"type": "multi_head_attention", "name": "attn", "num_heads": 2, "causal": true},
         {"type": "add", "name": "res", "inputs": ["attn", "pos"]},
         {"type": "layer_norm", "name": "lnf"},
         {"type": "dense", "name": "head", "units": 40}
       ],
       "loss": {"type": "cross_entropy"},
       "optimizer": {"type": "adam", "learning_rate": 0.01},
       "training": {"epochs": 2, "batch_size": 16, "seed": 3, "shuffle": true}}
      """;

  @TempDir static Path dir;
  static Path spec;
  static Path text;
  static Path onnxFromTf;
  static Path ckptPt;
  static Path ckptTf;

  /** The text {@link #SPEC} trains on: one sentence of 16 distinct characters, 120 times. */
  static Path writeText(Path file) throws IOException {
    return Files.writeString(file, "the cat sat on the mat. a dog ran to the sun.\n".repeat(120));
  }

  @BeforeAll
  static void trainOnBothBackends() throws IOException {
    spec = Files.writeString(dir.resolve("tiny-char.json"), SPEC);
    text = writeText(dir.resolve("text.txt"));
    for (String backend : new String[] {"pytorch", "tensorflow"}) {
      CliTest.Run r = rosetta("train", spec.toString(), "--backend", backend, "--data", text.toString(),
          "--out", dir.resolve(backend).toString(), "--json");
      assertEquals(0, r.code(), r.out() + r.err());
      assertTrue(r.out().contains("vocabulary: 16 characters, stored with the checkpoint"), r.out());
      assertTrue(r.out().contains("bits/token"), r.out());
    }
    ckptPt = dir.resolve("pytorch/checkpoint.safetensors");
    ckptTf = dir.resolve("tensorflow/checkpoint.safetensors");
    onnxFromTf = dir.resolve("tf.onnx");
    CliTest.Run e = rosetta("export", spec.toString(), "--weights", ckptTf.toString(), "--out", onnxFromTf.toString(),
        "--verify", "--data", text.toString(), "--json");
    assertEquals(0, e.code(), e.out() + e.err());
    assertTrue(e.out().contains("at sequence lengths 16 and 9"), e.out());
  }

  /**
   * A character model resumes like any other: one epoch, then {@code --resume} to two, gives the
   * two-epoch run's checkpoint byte for byte (weights, Adam state and the vocabulary).
   */
  @Test
  void aCharacterModelResumesToTheSameBytes() throws IOException {
    Path resumed = dir.resolve("resumed");
    CliTest.Run one = rosetta("train", spec.toString(), "--backend", "pytorch", "--data", text.toString(), "--epochs", "1",
        "--out", resumed.toString());
    assertEquals(0, one.code(), one.out() + one.err());
    CliTest.Run r = rosetta("train", spec.toString(), "--backend", "pytorch", "--data", text.toString(), "--resume",
        resumed.toString(), "--epochs", "2");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("resuming " + resumed + " after epoch 1"), r.out());
    org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(ckptPt),
        Files.readAllBytes(resumed.resolve("checkpoint.safetensors")));
  }

  @Test
  void theCheckpointCarriesTheVocabulary() throws IOException {
    Vocabulary v = Checkpoint.load(ckptPt, SpecJson.read(spec)).vocabulary();
    assertEquals(16, v.size());
    assertEquals("the cat", v.decode(v.encode("the cat", "t")));
  }

  static String generate(Path ckpt, String backend, String... more) throws IOException {
    String[] base = ckpt == null
        ? new String[] {"generate", spec.toString(), "--backend", "onnxruntime", "--model", onnxFromTf.toString()}
        : new String[] {"generate", spec.toString(), "--weights", ckpt.toString(), "--backend", backend};
    String[] args = java.util.stream.Stream.concat(
        java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.stream.Stream.of("--prompt", "the c", "--tokens", "40", "--json")),
        java.util.Arrays.stream(more)).toArray(String[]::new);
    CliTest.Run r = rosetta(args);
    assertEquals(0, r.code(), r.out() + r.err());
    return r.json().get("text").asText();
  }

  @Test
  void greedyGenerationIsTheSameTextOnEveryRuntimeWhicheverBackendTrained() throws IOException {
    for (Path ckpt : new Path[] {ckptPt, ckptTf}) {
      String pt = generate(ckpt, "pytorch");
      assertEquals(pt, generate(ckpt, "tensorflow"), "trained on " + ckpt);
      assertEquals(40, pt.codePointCount(0, pt.length()));
    }
    assertEquals(generate(ckptTf, "pytorch"), generate(null, null), "ONNX Runtime, exported from the TensorFlow checkpoint");
  }

  @Test
  void seededSamplingIsTheSameTextOnEveryRuntime() throws IOException {
    String pt = generate(ckptTf, "pytorch", "--temperature", "1.5", "--top-k", "5", "--seed", "11");
    assertEquals(pt, generate(ckptTf, "tensorflow", "--temperature", "1.5", "--top-k", "5", "--seed", "11"));
    assertEquals(pt, generate(null, null, "--temperature", "1.5", "--top-k", "5", "--seed", "11"));
    assertFalse(pt.equals(generate(ckptTf, "pytorch", "--temperature", "1.5", "--top-k", "5", "--seed", "12")),
        "another seed draws other tokens");
  }

  @Test
  void charactersOutsideTheStoredVocabularyAreRefusedWithTheirPlace() throws IOException {
    CliTest.Run g = rosetta("generate", spec.toString(), "--weights", ckptPt.toString(), "--prompt", "the cz", "--tokens", "3");
    assertEquals(2, g.code(), g.out() + g.err());
    assertTrue(g.err().contains("prompt:1:6: character 'z' (U+007A) is not in the vocabulary (16 characters"), g.err());
    Path other = Files.writeString(dir.resolve("other.txt"), "the cat sat\non the mät and the cat sat on the mat again and again\n");
    CliTest.Run e = rosetta("eval", spec.toString(), "--weights", ckptPt.toString(), "--data", other.toString());
    assertEquals(2, e.code(), e.out() + e.err());
    assertTrue(e.err().contains("other.txt:2:9: character 'ä' (U+00E4) is not in the vocabulary"), e.err());
  }

  @Test
  void aTokenIdOutsideTheVocabularyIsRefusedWithItsPlace() throws IOException {
    StringBuilder csv = new StringBuilder();
    for (int row = 0; row < 3; row++) {
      for (int c = 0; c < 32; c++) {
        csv.append(c == 0 ? "" : ",").append(row == 2 && c == 5 ? 40 : c % 16);
      }
      csv.append('\n');
    }
    Path ids = Files.writeString(dir.resolve("ids.csv"), csv.toString());
    CliTest.Run r = rosetta("train", spec.toString(), "--backend", "pytorch", "--data", ids.toString(), "--out", dir.resolve("ids").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("ids.csv: token id 40 at sequence 2, position 5 is outside the vocabulary of embedding 'tok' (vocab_size 40"), r.err());
  }

  /** A token-id row longer than the model's [16] (here 17 ids and 17 labels) is refused at its line. */
  @Test
  void aSequenceLongerThanTheModelTakesIsRefusedWithItsLine() throws IOException {
    StringBuilder csv = new StringBuilder();
    for (int row = 0; row < 3; row++) {
      int n = row == 1 ? 34 : 32;
      for (int c = 0; c < n; c++) {
        csv.append(c == 0 ? "" : ",").append(c % 16);
      }
      csv.append('\n');
    }
    Path ids = Files.writeString(dir.resolve("long.csv"), csv.toString());
    CliTest.Run r = rosetta("eval", spec.toString(), "--weights", ckptPt.toString(), "--data", ids.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("long.csv:2: 34 fields, expected 32"), r.err());
  }

  @Test
  void specErrorsOfSequenceModelsNameTheirJsonPath() throws IOException {
    Path heads = Files.writeString(dir.resolve("heads.json"), SPEC.replace("\"num_heads\": 2", "\"num_heads\": 3"));
    CliTest.Run h = rosetta("validate", heads.toString());
    assertEquals(2, h.code());
    assertTrue(h.out().contains("attn.num_heads 3 must divide the width 16 of its input [16, 16]") && h.out().contains("at $.layers[3].num_heads"), h.out());
    Path longer = Files.writeString(dir.resolve("longer.json"), SPEC.replace("\"max_length\": 16", "\"max_length\": 12"));
    CliTest.Run l = rosetta("validate", longer.toString());
    assertEquals(2, l.code());
    assertTrue(l.out().contains("pos.max_length 12 is shorter than its input's 16 positions") && l.out().contains("at $.layers[1].max_length"), l.out());
    Path floats = Files.writeString(dir.resolve("floats.json"), SPEC.replace(", \"dtype\": \"int64\"", ""));
    CliTest.Run f = rosetta("validate", floats.toString());
    assertEquals(2, f.code());
    assertTrue(f.out().contains("embedding reads int64 token ids") && f.out().contains("at $.layers[0]"), f.out());
  }

  @Test
  void aTextWithMoreCharactersThanTheEmbeddingHasRowsIsRefused() throws IOException {
    Path small = Files.writeString(dir.resolve("small.json"), SPEC.replace("\"vocab_size\": 40", "\"vocab_size\": 10"));
    CliTest.Run r = rosetta("train", small.toString(), "--backend", "pytorch", "--data", text.toString(), "--out", dir.resolve("small").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("the text has 16 distinct characters, but embedding 'tok' has vocab_size 10"), r.err());
  }
}
