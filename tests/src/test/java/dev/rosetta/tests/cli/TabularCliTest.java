package dev.rosetta.tests.cli;

import static dev.rosetta.tests.cli.CliTest.rosetta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.checkpoint.Checkpoint;
import dev.rosetta.weights.Safetensors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tabular workflow from the command line on the Palmer penguins (344 rows, missing values,
 * numeric and categorical columns): train with a validation split, eval, predict, export with
 * the preprocessing inside the graph, cross-validation and reports; and the refusals of bad
 * tables, which write nothing.
 */
class TabularCliTest {
  static final Path SPEC = Path.of("../examples/penguins.json");
  static final Path CSV = Path.of("../examples/data/penguins.csv");

  @TempDir Path dir;

  @Test
  void trainEvalPredictExportAndReport() throws IOException {
    Path run = dir.resolve("run");
    CliTest.Run t = rosetta("train", SPEC.toString(), "--backend", "pytorch", "--data", CSV.toString(), "--epochs", "4",
        "--validation-split", "0.2", "--out", run.toString(), "--json");
    assertEquals(0, t.code(), t.out() + t.err());
    assertTrue(t.out().contains("preprocessing fitted on 275 rows: 9 features (4 numeric + island one-hot 3 [Biscoe, Dream,"
        + " Torgersen] + sex one-hot 2 [female, male])"), t.out());
    assertTrue(t.json().get("val_accuracy").asDouble() > 0.8, t.out());
    List<String> history = Files.readAllLines(run.resolve("history.csv"));
    assertEquals("epoch,train_loss,train_accuracy,val_loss,val_accuracy,val_macro_f1,test_loss,test_accuracy,test_macro_f1,learning_rate",
        history.get(0));
    assertEquals(5, history.size());
    assertTrue(history.get(4).startsWith("4,") && history.get(4).endsWith(",,,,0.01"), history.get(4));
    JsonNode ev = new ObjectMapper().readTree(Files.readString(run.resolve("evaluation.json")));
    assertEquals("validation", ev.get("set").asText());
    assertEquals(69, ev.get("samples").asInt());
    String meta = Safetensors.read(run.resolve("checkpoint.safetensors")).metadata().get(Checkpoint.PREPROCESS);
    assertTrue(meta.contains("\"classes\":[\"Adelie\",\"Chinstrap\",\"Gentoo\"]"), meta);

    Path ckpt = run.resolve("checkpoint.safetensors");
    CliTest.Run e = rosetta("eval", SPEC.toString(), "--weights", ckpt.toString(), "--data", CSV.toString(), "--json");
    assertEquals(0, e.code(), e.out() + e.err());
    JsonNode j = e.json();
    List<String> keys = new ArrayList<>();
    j.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("backend", "set", "dropped", "samples", "loss", "accuracy", "classes", "per_class", "macro_avg",
        "weighted_avg", "confusion_matrix", "roc_auc"), keys);
    assertEquals(344, j.get("samples").asInt());
    assertTrue(e.out().contains("confusion matrix (rows: true class, columns: predicted):"), e.out());

    CliTest.Run p = rosetta("predict", SPEC.toString(), "--weights", ckpt.toString(), "--data", CSV.toString(), "--count", "5", "--json");
    assertEquals(0, p.code(), p.out() + p.err());
    assertTrue(p.out().contains("penguins.csv:5: Adelie (p="), p.out()); // line 5 is the row with every measurement missing

    Path onnx = dir.resolve("penguins.onnx");
    CliTest.Run x = rosetta("export", SPEC.toString(), "--weights", ckpt.toString(), "--out", onnx.toString(), "--verify",
        "--data", CSV.toString(), "--json");
    assertEquals(0, x.code(), x.out() + x.err());
    assertEquals(11, x.json().get("rows_with_missing_values").asInt(), x.out());
    assertTrue(x.json().get("pass").asBoolean());
    // The exported file, fed raw rows in ONNX Runtime, predicts what the checkpoint predicts.
    CliTest.Run po = rosetta("predict", SPEC.toString(), "--model", onnx.toString(), "--data", CSV.toString(), "--count", "400", "--json");
    CliTest.Run pc = rosetta("predict", SPEC.toString(), "--weights", ckpt.toString(), "--data", CSV.toString(), "--count", "400", "--json");
    assertEquals(0, po.code(), po.out() + po.err());
    JsonNode a = po.json().get("predictions");
    JsonNode b = pc.json().get("predictions");
    assertEquals(344, a.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(b.get(i).get("class").asText(), a.get(i).get("class").asText(), "row " + i);
      for (int k = 0; k < 3; k++) {
        assertEquals(b.get(i).get("output").get(k).asDouble(), a.get(i).get("output").get(k).asDouble(), 1e-4, "row " + i);
      }
    }
    // The encoders exist from opset 13 on (ai.onnx.ml 2).
    CliTest.Run x13 = rosetta("export", SPEC.toString(), "--weights", ckpt.toString(), "--out", dir.resolve("p13.onnx").toString(),
        "--opset", "13", "--verify", "--data", CSV.toString());
    assertEquals(0, x13.code(), x13.out() + x13.err());
    CliTest.Run eo = rosetta("eval", SPEC.toString(), "--backend", "onnxruntime", "--model", onnx.toString(), "--data", CSV.toString(), "--json");
    assertEquals(j.get("confusion_matrix"), eo.json().get("confusion_matrix"));

    CliTest.Run r = rosetta("report", run.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertReport(run, Set.of("loss.png", "accuracy.png", "confusion.png", "history.csv", "evaluation.json"));
    assertTrue(Files.readString(run.resolve("report.html")).contains("<td>Chinstrap</td>"));
  }

  @Test
  void validateShowsWhichStepFillsEachColumn() throws IOException {
    CliTest.Run r = rosetta("validate", SPEC.toString(), "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("island               categorical  most_frequent   -            one_hot"), r.out());
    assertTrue(r.out().contains("body_mass_g          numeric      mean            standardize  -"), r.out());
    assertEquals("{\"column\":\"sex\",\"type\":\"categorical\",\"impute\":\"most_frequent\",\"scale\":null,\"encode\":\"one_hot\"}",
        r.json().get("columns").get(5).toString());
  }

  @Test
  void crossValidationReportsFoldsMeanAndStd() throws IOException {
    Path out = dir.resolve("cv");
    CliTest.Run r = rosetta("cv", SPEC.toString(), "--data", CSV.toString(), "--folds", "3", "--epochs", "3",
        "--out", out.toString(), "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = r.json();
    assertEquals(3, j.get("per_fold").size());
    assertEquals(344, j.get("per_fold").findValues("test_rows").stream().mapToInt(JsonNode::asInt).sum());
    assertTrue(j.get("mean").get("accuracy").asDouble() > 0.8, j.toString());
    assertTrue(j.get("std").has("macro_f1"));
    assertTrue(r.out().contains("accuracy   "), r.out());
    assertEquals(0, rosetta("report", out.toString()).code());
    assertReport(out, Set.of("folds.png", "cv.csv", "cv.json"));
  }

  @Test
  void statisticsAreBitIdenticalWhicheverBackendTrained() throws IOException {
    String[] stats = new String[2];
    String[] backends = {"pytorch", "tensorflow"};
    for (int i = 0; i < 2; i++) {
      Path out = dir.resolve(backends[i]);
      CliTest.Run t = rosetta("train", SPEC.toString(), "--backend", backends[i], "--data", CSV.toString(), "--epochs", "1",
          "--out", out.toString());
      assertEquals(0, t.code(), t.out() + t.err());
      stats[i] = Safetensors.read(out.resolve("checkpoint.safetensors")).metadata().get(Checkpoint.PREPROCESS);
    }
    assertEquals(stats[0], stats[1]);
    // And a fine-tuning run keeps the checkpoint's statistics instead of refitting them on its data.
    Path half = dir.resolve("half.csv");
    List<String> lines = Files.readAllLines(CSV);
    Files.write(half, lines.subList(0, 200));
    Path tuned = dir.resolve("tuned");
    CliTest.Run t = rosetta("train", SPEC.toString(), "--backend", "tensorflow", "--data", half.toString(), "--epochs", "1",
        "--weights", dir.resolve("pytorch").resolve("checkpoint.safetensors").toString(), "--out", tuned.toString());
    assertEquals(0, t.code(), t.out() + t.err());
    assertEquals(stats[0], Safetensors.read(tuned.resolve("checkpoint.safetensors")).metadata().get(Checkpoint.PREPROCESS));
  }

  @Test
  void penguinsPassParityWithTheirTable() throws IOException {
    CliTest.Run r = rosetta("parity", SPEC.toString(), "--data", CSV.toString(), "--epochs", "1", "--strict", "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.json().get("pass").asBoolean());
  }

  /** Bad tables: exit 2, a message naming file, row and column, and no output folder. */
  @Test
  void badTablesAreRefusedBeforeAnythingIsWritten() throws IOException {
    String header = "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year";
    List<String> good = Files.readAllLines(CSV).subList(1, 345);
    refused(table(header, good, 2, "NA"), "column 'bill_length_mm': every cell is missing in the 344 training rows"
        + " (lines 2..345), so mean has no value to fill with");
    refused(table(header, good, 3, "20"), "column 'bill_depth_mm': every value is 20.0 in the 344 training rows"
        + " (lines 2..345), so standardize would divide by zero");
    List<String> mixed = new ArrayList<>(good);
    String[] row = mixed.get(9).split(",", -1);
    row[4] = "tall";
    mixed.set(9, String.join(",", row));
    refused(table(header, mixed, -1, null), ":11, column 'flipper_length_mm' (numeric): 'tall' is not a finite number");
    Path noSex = dir.resolve("nosex.csv");
    Files.write(noSex, Files.readAllLines(CSV).stream().map(l -> l.substring(0, l.lastIndexOf(',', l.lastIndexOf(',') - 1))
        + l.substring(l.lastIndexOf(','))).toList());
    refused(noSex, noSex + ":1: the header lacks categorical column 'sex' that the spec's preprocess section declares;"
        + " columns: species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, year");

    // An island never seen in training, under unseen: "error": eval refuses it, naming the row.
    Path strict = dir.resolve("strict.json");
    Files.writeString(strict, Files.readString(SPEC).replace("\"unseen\": \"zeros\"", "\"unseen\": \"error\""));
    Path run = dir.resolve("strict-run");
    assertEquals(0, rosetta("train", strict.toString(), "--backend", "pytorch", "--data", CSV.toString(), "--epochs", "1",
        "--out", run.toString()).code());
    List<String> atlantis = new ArrayList<>(good);
    atlantis.set(4, atlantis.get(4).replace(",Torgersen,", ",Atlantis,"));
    Path bad = table(header, atlantis, -1, null);
    CliTest.Run e = rosetta("eval", strict.toString(), "--weights", run.resolve("checkpoint.safetensors").toString(), "--data", bad.toString());
    assertEquals(2, e.code(), e.out() + e.err());
    assertTrue(e.err().contains(bad + ":6, column 'island': category 'Atlantis' was not in the training data (known: Biscoe,"
        + " Dream, Torgersen), and the spec's one_hot step says unseen: \"error\""), e.err());
  }

  private int tables;

  /** The penguins rows with column {@code column} set to {@code value} in every row (-1: unchanged). */
  private Path table(String header, List<String> rows, int column, String value) throws IOException {
    List<String> out = new ArrayList<>();
    out.add(header);
    for (String r : rows) {
      if (column < 0) {
        out.add(r);
      } else {
        String[] f = r.split(",", -1);
        f[column] = value;
        out.add(String.join(",", f));
      }
    }
    Path p = dir.resolve("table" + (tables++) + ".csv");
    Files.write(p, out);
    return p;
  }

  private void refused(Path table, String message) {
    Path out = dir.resolve("never");
    CliTest.Run r = rosetta("train", SPEC.toString(), "--backend", "pytorch", "--data", table.toString(), "--out", out.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains(message), r.err());
    assertTrue(r.err().contains(table.toString()), "names the file: " + r.err());
    assertFalse(Files.exists(out), "a refused run writes nothing");
  }

  /** report.html links only files that exist, and every PNG is a real chart. */
  static void assertReport(Path dir, Set<String> expected) throws IOException {
    String html = Files.readString(dir.resolve("report.html"));
    Set<String> links = new HashSet<>();
    Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
    while (m.find()) {
      links.add(m.group(1));
    }
    assertEquals(expected, links, html);
    for (String link : links) {
      Path f = dir.resolve(link);
      assertTrue(Files.isRegularFile(f) && Files.size(f) > 0, link);
      if (link.endsWith(".png")) {
        assertChart(f);
      }
    }
  }

  /** A decodable PNG of chart size, with ink: many non-white pixels and several colours. */
  static void assertChart(Path png) throws IOException {
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(img != null, png + " decodes");
    assertTrue(img.getWidth() >= 400 && img.getHeight() >= 300, png + ": " + img.getWidth() + "x" + img.getHeight());
    int ink = 0;
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y) & 0xFFFFFF;
        colours.add(rgb);
        if (rgb != 0xFFFFFF) {
          ink++;
        }
      }
    }
    double share = (double) ink / (img.getWidth() * img.getHeight());
    assertTrue(share > 0.02 && share < 0.9, png + ": " + share + " of the pixels are drawn");
    assertTrue(colours.size() >= 8, png + ": " + colours.size() + " colours");
  }
}
