package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * rosetta sweep and rosetta score from the command line: the 4-trial sweep on the embedded data
 * locally and with --spark on local[2] (same ranking, same best checkpoint bytes), its refusals,
 * and scoring a CSV table into Parquet on local[2].
 */
class SparkCliTest {
  static final Path GRID = Path.of("../examples/sweeps/seed-mlp-grid.json");

  @TempDir Path dir;

  private static JsonNode read(Path file) throws IOException {
    return new ObjectMapper().readTree(Files.readString(file));
  }

  @Test
  void aSweepRanksAndKeepsTheSameBestCheckpointLocallyAndOnSpark() throws IOException {
    Path local = dir.resolve("local");
    Path spark = dir.resolve("spark");
    CliTest.Run l = rosetta("sweep", GRID.toString(), "--out", local.toString(), "--json");
    assertEquals(0, l.code(), l.out() + l.err());
    CliTest.Run s = rosetta("sweep", GRID.toString(), "--spark", "--master", "local[2]", "--out", spark.toString(), "--json");
    assertEquals(0, s.code(), s.out() + s.err());
    assertTrue(s.out().contains("Spark 4.2.0 on local[2] (2 task slots, one trial per task)"), s.out());

    JsonNode a = read(local.resolve("sweep.json"));
    JsonNode b = read(spark.resolve("sweep.json"));
    assertEquals(4, a.get("ranking").size());
    for (int i = 0; i < 4; i++) {
      JsonNode x = a.get("ranking").get(i);
      JsonNode y = b.get("ranking").get(i);
      for (String k : List.of("rank", "trial", "values", "mean", "std", "per_part", "means")) {
        assertEquals(x.get(k), y.get(k), "rank " + (i + 1) + ": " + k);
      }
      assertTrue(y.get("worker").asText().startsWith("Executor task launch worker"), y.toString());
    }
    // The grid: 2 widths x 2 learning rates; the larger rate wins at 5 epochs of 800 samples.
    assertEquals(4, a.get("ranking").get(0).get("trial").asInt(), a.toString());
    assertEquals(0.1, a.get("ranking").get(0).get("values").get("$.optimizer.learning_rate").asDouble());
    assertTrue(a.get("ranking").get(0).get("mean").asDouble() > a.get("ranking").get(3).get("mean").asDouble());
    byte[] ckpt = Files.readAllBytes(local.resolve("checkpoint.safetensors"));
    assertArrayEquals(ckpt, Files.readAllBytes(spark.resolve("checkpoint.safetensors")), "best checkpoints differ");
    assertEquals(a.get("best").get("checkpoint_sha256"), b.get("best").get("checkpoint_sha256"));
    assertEquals(Files.readString(local.resolve("spec.json")), Files.readString(spark.resolve("spec.json")));
    assertEquals(128, SpecJson.read(local.resolve("spec.json")).spec().layers().get(0) instanceof dev.rosetta.spec.Layer.Dense d
        ? d.units() : -1);
    List<String> csv = Files.readAllLines(local.resolve("trials.csv"));
    assertEquals("rank,trial,$.layers[0].units,$.optimizer.learning_rate,accuracy_mean,accuracy_std,accuracy_1,accuracy_2,"
        + "accuracy_3,mean_loss,mean_accuracy,mean_macro_f1,seconds", csv.get(0));
    assertEquals(5, csv.size());
    assertNotNull(ImageIO.read(local.resolve("sweep.png").toFile()));
    assertTrue(s.out().contains("trial 1/4"), s.out());
  }

  @Test
  void aSweepThatCannotRunIsRefusedAtItsJsonPathWritingNothing() throws IOException {
    Path sweep = dir.resolve("bad.json");
    Files.writeString(sweep, Files.readString(GRID).replace("\"spec\": \"../seed-mlp.json\"",
        "\"spec\": \"" + GRID.toAbsolutePath().getParent().resolve("../seed-mlp.json").normalize() + "\"")
        .replace("$.layers[0].units", "$.layers[9].units").replace("\"metric\": \"accuracy\"", "\"metric\": \"r2\""));
    Path out = dir.resolve("out");
    CliTest.Run r = rosetta("sweep", sweep.toString(), "--out", out.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("trial 1 (spec " + GRID.toAbsolutePath().getParent().resolve("../seed-mlp.json").normalize()
        + "): $.layers has 5 elements, no [9] at $.parameters[0].path"), r.err());
    assertFalse(Files.exists(out));
    CliTest.Run m = rosetta("sweep", GRID.toString(), "--master", "local[2]", "--out", out.toString());
    assertEquals(2, m.code());
    assertTrue(m.err().contains("--master goes with --spark"), m.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void scoresATableIntoParquetOnLocalSpark() throws IOException {
    Path run = dir.resolve("penguins");
    Path spec = Path.of("../examples/penguins.json");
    Path csv = Path.of("../examples/data/penguins.csv");
    CliTest.Run t = rosetta("train", spec.toString(), "--backend", "pytorch", "--data", csv.toString(), "--epochs", "3",
        "--out", run.toString());
    assertEquals(0, t.code(), t.out() + t.err());
    Path onnx = dir.resolve("penguins.onnx");
    CliTest.Run x = rosetta("export", spec.toString(), "--weights", run.resolve("checkpoint.safetensors").toString(), "--out",
        onnx.toString());
    assertEquals(0, x.code(), x.out() + x.err());
    Path out = dir.resolve("scored.parquet");
    CliTest.Run s = rosetta("score", onnx.toString(), "--data", csv.toString(), "--out", out.toString(), "--master", "local[2]",
        "--partitions", "2", "--json");
    assertEquals(0, s.code(), s.out() + s.err());
    assertEquals(344, s.json().get("rows").asInt(), s.out());
    assertTrue(s.out().contains("species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, year,"
        + " output, prediction, probability, predicted_label"), s.out());
    assertTrue(Files.list(out).anyMatch(p -> p.getFileName().toString().endsWith(".parquet")));

    CliTest.Run again = rosetta("score", onnx.toString(), "--data", csv.toString(), "--out", out.toString());
    assertEquals(2, again.code());
    assertTrue(again.err().contains(out + " exists"), again.err());
    Path noSex = dir.resolve("nosex.csv");
    List<String> lines = Files.readAllLines(csv).stream().map(l -> l.substring(0, l.lastIndexOf(',', l.lastIndexOf(',') - 1))
        + l.substring(l.lastIndexOf(','))).toList();
    Files.write(noSex, lines);
    Path out2 = dir.resolve("scored2.parquet");
    CliTest.Run bad = rosetta("score", onnx.toString(), "--data", noSex.toString(), "--out", out2.toString(), "--master", "local[1]");
    assertEquals(2, bad.code(), bad.out() + bad.err());
    assertTrue(bad.err().contains("no column 'sex'"), bad.err());
    assertFalse(Files.exists(out2));
  }
}
