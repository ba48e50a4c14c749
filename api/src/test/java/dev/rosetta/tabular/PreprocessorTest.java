package dev.rosetta.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rosetta.data.DataException;
import dev.rosetta.data.Dataset;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.SpecJson;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fitting and applying preprocessing on a table small enough to compute by hand. */
class PreprocessorTest {
  /** length: 1, 2, ?, 4, 5 (mean 3); mass: 10, 20, 30, ?, 50 (mean 27.5); colour: red, ?, blue, blue, red. */
  static final String CSV = String.join("\n",
      "kind,length,colour,mass,note",
      "a,1.0,red,10,x",
      "a,2.0,NA,20,y",
      "b,NA,blue,30,\"a, quoted note\"",
      "b,4.0,blue,,z",
      "c,5.0,red,50,w",
      "");

  static CheckedSpec spec(String steps, String extra) {
    return spec(steps, extra, 3);
  }

  static CheckedSpec spec(String steps, String extra, int classes) {
    return SpecJson.parse("{\"format\": \"rosetta/v1\", \"name\": \"t\", \"input\": {\"shape\": [4]},"
        + " \"preprocess\": {\"label\": \"kind\", \"numeric\": [\"length\", \"mass\"], \"categorical\": [\"colour\"]"
        + extra + ", \"steps\": [" + steps + "]},"
        + " \"layers\": [{\"type\": \"dense\", \"name\": \"fc\", \"units\": " + classes + "}],"
        + " \"loss\": {\"type\": \"cross_entropy\"}, \"optimizer\": {\"type\": \"sgd\", \"learning_rate\": 0.1}}", "test spec");
  }

  static final String STEPS = "{\"type\": \"mean\"}, {\"type\": \"most_frequent\", \"columns\": [\"colour\"]},"
      + " {\"type\": \"standardize\", \"columns\": [\"length\"]}, {\"type\": \"min_max\", \"columns\": [\"mass\"]},"
      + " {\"type\": \"one_hot\", \"unseen\": \"error\"}";

  static RawRows rows(CheckedSpec spec, String csv) {
    return RawRows.read(CsvTable.parse(csv, "t.csv"), spec.spec().preprocess(), true);
  }

  static Preprocessor fitted(CheckedSpec spec, String csv) {
    RawRows r = rows(spec, csv);
    return Preprocessor.fit(spec, r, Preprocessor.classesOf(r));
  }

  @Test
  void fitsEveryStatisticOnTheTrainingRows() {
    CheckedSpec spec = spec(STEPS, "");
    Preprocessor p = fitted(spec, CSV);
    assertEquals(List.of("a", "b", "c"), p.classes());
    Preprocessor.NumericColumn length = p.numeric().get(0);
    assertEquals(3f, length.fill());
    // filled 1, 2, 3, 4, 5: mean 3, population std sqrt(2)
    assertEquals(3f, length.center());
    assertEquals((float) Math.sqrt(2), length.scale());
    Preprocessor.NumericColumn mass = p.numeric().get(1);
    assertEquals(27.5f, mass.fill());
    assertEquals(10f, mass.center()); // min of 10, 20, 30, 27.5, 50
    assertEquals(40f, mass.scale()); // max - min
    Preprocessor.CategoricalColumn colour = p.categorical().get(0);
    assertEquals("blue", colour.fill(), "red and blue tie twice each: the smallest wins");
    assertEquals(List.of("blue", "red"), colour.categories());
    assertEquals(4, p.width());
    assertEquals(5, p.fittedRows());
  }

  @Test
  void transformsInFloat32AsTheOnnxGraphDoes() {
    CheckedSpec spec = spec(STEPS, "");
    Preprocessor p = fitted(spec, CSV);
    Preprocessor.Prepared out = p.transform(rows(spec, CSV));
    Dataset d = out.data();
    assertEquals(5, d.size());
    float s = (float) Math.sqrt(2);
    // row 2: length 2, mass 20, colour missing -> blue
    assertArrayEquals(new float[] {(2f - 3f) / s, (20f - 10f) / 40f, 1, 0}, java.util.Arrays.copyOfRange(d.features(), 4, 8));
    // row 3: length missing -> 3 -> 0
    assertArrayEquals(new float[] {0, (30f - 10f) / 40f, 1, 0}, java.util.Arrays.copyOfRange(d.features(), 8, 12));
    assertArrayEquals(new int[] {0, 0, 1, 1, 2}, d.labels());
    assertArrayEquals(new int[] {2, 3, 4, 5, 6}, out.rows().lines());
  }

  @Test
  void statisticsSurviveTheCheckpointFormBitForBit() {
    CheckedSpec spec = spec(STEPS, "");
    Preprocessor p = fitted(spec, CSV);
    Preprocessor back = Preprocessor.fromJson(p.toJson(), spec, "ckpt");
    assertEquals(p.toJson(), back.toJson());
    assertEquals(Float.floatToIntBits(p.numeric().get(0).scale()), Float.floatToIntBits(back.numeric().get(0).scale()));
    // Any float32 statistic: a million random bit patterns through the JSON form.
    SplittableRandom r = new SplittableRandom(5);
    StringBuilder csv = new StringBuilder("kind,length,colour,mass\n");
    for (int i = 0; i < 50; i++) {
      csv.append(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c").append(',').append(r.nextGaussian() * 1e-3).append(",red,")
          .append(r.nextGaussian() * 1e7).append('\n');
    }
    Preprocessor q = fitted(spec(STEPS, ""), csv.toString());
    assertEquals(q, Preprocessor.fromJson(q.toJson(), spec, "ckpt"));
  }

  @Test
  void dropLeavesRowsOutEverywhere() {
    CheckedSpec spec = spec("{\"type\": \"drop\"}, {\"type\": \"standardize\"}, {\"type\": \"one_hot\"}", "");
    Preprocessor p = fitted(spec, CSV);
    assertEquals(2, p.fittedRows(), "rows 2, 3 and 4 have a missing cell");
    Preprocessor.Prepared out = p.transform(rows(spec, CSV));
    assertEquals(3, out.dropped());
    assertArrayEquals(new int[] {2, 6}, out.rows().lines());
  }

  @Test
  void theLabelListsClassesSortedAndRefusesUnknownOnes() {
    CheckedSpec spec = spec(STEPS, "");
    Preprocessor p = fitted(spec, CSV);
    DataException e = assertThrows(DataException.class,
        () -> p.transform(rows(spec, "kind,length,colour,mass\nz,1,red,3\n")));
    assertEquals("t.csv:2, column 'kind': class 'z' is not one of the model's classes (a, b, c)", e.getMessage());
    RawRows numbers = rows(spec, "kind,length,colour,mass\n10,1,red,1\n9,1,red,2\n10,2,blue,3\n");
    assertEquals(List.of("9", "10"), Preprocessor.classesOf(numbers), "numeric class names sort as numbers");
  }

  @Test
  void badInputNamesFileRowAndColumn() {
    CheckedSpec spec = spec(STEPS, "");
    assertEquals("t.csv:3, column 'length' (numeric): 'big' is not a finite number nor a missing-value marker ('', '?', 'NA', 'NaN', 'null')",
        assertThrows(DataException.class, () -> rows(spec, "kind,length,colour,mass\na,1,red,2\nb,big,red,3\n")).getMessage());
    String noColumn = assertThrows(DataException.class, () -> rows(spec, "kind,length,colour\na,1,red\n")).getMessage();
    assertEquals("t.csv:1: the header lacks numeric column 'mass' that the spec's preprocess section declares; columns: kind, length, colour", noColumn);
    String allMissing = assertThrows(DataException.class,
        () -> fitted(spec, "kind,length,colour,mass\na,NA,red,1\nb,,blue,2\n")).getMessage();
    assertEquals("t.csv, column 'length': every cell is missing in the 2 training rows (lines 2..3), so mean has no value"
        + " to fill with; fill with a constant, or drop the column from the spec", allMissing);
    String constant = assertThrows(DataException.class,
        () -> fitted(spec, "kind,length,colour,mass\na,7,red,1\nb,7,blue,2\nc,,red,3\n")).getMessage();
    assertTrue(constant.startsWith("t.csv, column 'length': every value is 7.0 in the 3 training rows (lines 2..4),"
        + " so standardize would divide by zero"), constant);
    Preprocessor p = fitted(spec, CSV);
    String unseen = assertThrows(DataException.class,
        () -> p.transform(rows(spec, "kind,length,colour,mass\na,1,red,1\nb,2,green,2\n"))).getMessage();
    assertEquals("t.csv:3, column 'colour': category 'green' was not in the training data (known: blue, red),"
        + " and the spec's one_hot step says unseen: \"error\"", unseen);
  }

  @Test
  void anUnseenCategoryIsAllZerosUnderZeros() {
    CheckedSpec spec = spec(STEPS.replace("\"error\"", "\"zeros\""), "");
    Preprocessor p = fitted(spec, CSV);
    Dataset d = p.transform(rows(spec, "kind,length,colour,mass\nb,2,green,2\n")).data();
    assertEquals(0f, d.features()[2]);
    assertEquals(0f, d.features()[3]);
  }

  @Test
  void aMissingCellWithoutAStepIsRefused() {
    CheckedSpec spec = spec("{\"type\": \"standardize\"}, {\"type\": \"one_hot\"}", "");
    String m = assertThrows(DataException.class, () -> fitted(spec, CSV)).getMessage();
    assertEquals("t.csv:4, column 'length': the value is missing and the spec's preprocess section gives 'length' no"
        + " missing-value step (add drop, mean, median, max, min, most_frequent or constant)", m);
  }

  @Test
  void theFittedWidthMustBeTheInputWidth() {
    CheckedSpec spec = spec(STEPS, "");
    Preprocessor p = fitted(spec, "kind,length,colour,mass\na,1,red,1\nb,2,blue,2\nc,3,green,5\n");
    String m = assertThrows(DataException.class, () -> p.requireWidth(spec, "t.csv")).getMessage();
    assertEquals("t.csv: preprocessing gives 5 features per row (2 numeric + colour one-hot 3 [blue, green, red]),"
        + " but the spec's input.shape is [4]; set \"input\": {\"shape\": [5]}", m);
  }

  @Test
  void otherFillsAndMedian() {
    CheckedSpec spec = spec("{\"type\": \"median\", \"columns\": [\"length\"]}, {\"type\": \"max\", \"columns\": [\"mass\"]},"
        + " {\"type\": \"constant\", \"value\": \"grey\"}, {\"type\": \"one_hot\"}", "");
    Preprocessor p = fitted(spec, CSV);
    assertEquals(3f, p.numeric().get(0).fill(), "median of 1, 2, 4, 5");
    assertEquals(50f, p.numeric().get(1).fill());
    assertEquals("grey", p.categorical().get(0).fill());
    assertEquals(List.of("blue", "grey", "red"), p.categorical().get(0).categories(), "the fill is a category when it filled a cell");
    assertNotEquals(p, fitted(spec, CSV.replace("5.0,red,50", "5.0,red,60")));
  }

  @Test
  void crossValidationFitsEachFoldOnItsTrainingPartOnly() {
    StringBuilder csv = new StringBuilder("kind,length,colour,mass\n");
    for (int i = 0; i < 30; i++) {
      csv.append(i % 2 == 0 ? "a" : "b").append(',').append(i).append(',').append(i % 3 == 0 ? "red" : "blue")
          .append(',').append(i * 2).append('\n');
    }
    CheckedSpec spec = spec("{\"type\": \"mean\"}, {\"type\": \"standardize\"}, {\"type\": \"one_hot\"}", "", 2);
    RawRows all = rows(spec, csv.toString());
    List<CrossValidation.Fold> folds = CrossValidation.folds(spec, all, 5, 42);
    for (CrossValidation.Fold f : folds) {
      // The fold's mean of 'length' is the mean over exactly its training rows (length = line - 2).
      double sum = 0;
      for (int line : f.train().rows().lines()) {
        sum += line - 2;
      }
      assertEquals((float) (sum / f.train().rows().size()), f.preprocessor().numeric().get(0).center());
      assertEquals(6, f.test().rows().size());
      // Changing every held-out row changes none of the fold's statistics.
      String poisoned = poison(csv.toString(), f.test().rows().lines());
      CrossValidation.Fold again = CrossValidation.fold(spec, rows(spec, poisoned), 5, 42, f.index());
      assertEquals(f.preprocessor().toJson(), again.preprocessor().toJson(), "fold " + f.index());
      assertArrayEquals(f.test().rows().lines(), again.test().rows().lines());
    }
  }

  /** The same CSV with huge numbers and a new category in the given lines. */
  static String poison(String csv, int[] lines) {
    String[] l = csv.split("\n");
    for (int line : lines) {
      String[] f = l[line - 1].split(",");
      l[line - 1] = f[0] + ",1e9,purple,-1e9";
    }
    return String.join("\n", l) + "\n";
  }
}
