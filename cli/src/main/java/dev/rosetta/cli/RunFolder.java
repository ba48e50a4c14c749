package dev.rosetta.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.data.DataException;
import dev.rosetta.io.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A training run's folder: {@code run.json} records how the run was started (data, validation
 * split, backend) so that {@code train --resume} continues it on the same data without being
 * told again; {@link #truncateLogs} drops what a killed run logged after its last checkpoint.
 */
final class RunFolder {
  static final String MANIFEST = "run.json";
  private static final Pattern EPOCH = Pattern.compile("\"epoch\":(\\d+)");

  private RunFolder() {}

  /** Writes {@code run.json}: the data options, the validation split and the training-set size. */
  static void writeManifest(Path dir, String backend, DataOptions data, Double validationSplit, int trainSamples)
      throws IOException {
    ObjectNode o = Json.object();
    o.put("backend", backend);
    if (data.data != null) {
      o.put("data", data.data.toAbsolutePath().normalize().toString());
    }
    if (data.labelColumn != null) {
      o.put("label_column", data.labelColumn);
    }
    if (data.classes != null) {
      ArrayNode a = o.putArray("classes");
      for (int c : data.classes) {
        a.add(c);
      }
    }
    if (data.trainSamples != null) {
      o.put("train_samples_limit", data.trainSamples);
    }
    if (validationSplit != null) {
      o.put("validation_split", validationSplit);
    }
    o.put("train_samples", trainSamples);
    AtomicFile.writeString(dir.resolve(MANIFEST), Json.line(o) + "\n");
  }

  /** The manifest of a run folder. */
  static JsonNode manifest(Path dir) {
    Path f = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(f)) {
      throw new DataException(dir + " has no " + MANIFEST + ": it is not a run folder written by `rosetta train`"
          + " (or one from before runs could resume)");
    }
    try {
      return Json.MAPPER.readTree(Files.readString(f, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new DataException(f + ": cannot read the run manifest: " + e.getMessage());
    }
  }

  /**
   * Completes the data options of a resumed run from its manifest: an option given on the
   * command line must agree with the one the run started with.
   *
   * @return the validation split to use, or null
   */
  static Double resumeDataOptions(JsonNode m, DataOptions data, Double validationSplit, Path dir) {
    if (m.has("data")) {
      Path recorded = Path.of(m.get("data").asText());
      if (data.data == null) {
        data.data = recorded;
      } else if (!data.data.toAbsolutePath().normalize().equals(recorded)) {
        throw differs(dir, "--data", data.data.toString(), recorded.toString());
      }
    } else if (data.data != null) {
      throw differs(dir, "--data", data.data.toString(), "the embedded subset");
    }
    if (m.has("label_column") && data.labelColumn == null) {
      data.labelColumn = m.get("label_column").asText();
    }
    if (m.has("classes")) {
      List<Integer> c = new ArrayList<>();
      m.get("classes").forEach(n -> c.add(n.intValue()));
      int[] recorded = c.stream().mapToInt(Integer::intValue).toArray();
      if (data.classes == null) {
        data.classes = recorded;
      } else if (!java.util.Arrays.equals(data.classes, recorded)) {
        throw differs(dir, "--classes", java.util.Arrays.toString(data.classes), java.util.Arrays.toString(recorded));
      }
    }
    if (m.has("train_samples_limit") && data.trainSamples == null) {
      data.trainSamples = m.get("train_samples_limit").intValue();
    }
    Double recordedSplit = m.has("validation_split") ? m.get("validation_split").doubleValue() : null;
    if (validationSplit != null && !validationSplit.equals(recordedSplit)) {
      throw differs(dir, "--validation-split", validationSplit.toString(), String.valueOf(recordedSplit));
    }
    return recordedSplit;
  }

  private static Rosetta.UserInputException differs(Path dir, String option, String given, String recorded) {
    return new Rosetta.UserInputException("cannot resume " + dir + " with " + option + " " + given + ": the run started with "
        + recorded + " (leave the option out to use the run's)");
  }

  /**
   * Drops the lines of {@code metrics.jsonl} and the rows of {@code history.csv} logged after
   * epoch {@code epoch} (a run killed mid-epoch logged steps its checkpoint does not hold), so
   * the resumed run's lines follow on without a gap or a repeat.
   */
  static void truncateLogs(Path dir, int epoch) throws IOException {
    Path metrics = dir.resolve("metrics.jsonl");
    if (Files.isRegularFile(metrics)) {
      List<String> keep = new ArrayList<>();
      for (String line : Files.readAllLines(metrics, StandardCharsets.UTF_8)) {
        Matcher m = EPOCH.matcher(line);
        if (m.find() && Integer.parseInt(m.group(1)) <= epoch) {
          keep.add(line);
        }
      }
      AtomicFile.writeString(metrics, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
    }
    Path history = dir.resolve("history.csv");
    if (Files.isRegularFile(history)) {
      List<String> lines = Files.readAllLines(history, StandardCharsets.UTF_8);
      List<String> keep = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i);
        if (i == 0 || (!l.isEmpty() && Integer.parseInt(l.substring(0, l.indexOf(','))) <= epoch)) {
          keep.add(l);
        }
      }
      AtomicFile.writeString(history, String.join("\n", keep) + "\n");
    }
  }
}
