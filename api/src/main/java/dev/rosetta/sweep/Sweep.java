package dev.rosetta.sweep;

import dev.rosetta.spec.Codec;
import dev.rosetta.spec.Field;
import dev.rosetta.spec.Rule;
import dev.rosetta.spec.Schema;
import java.nio.file.Path;
import java.util.List;

/**
 * A model-selection sweep ({@code SWEEP.json}, format {@value #FORMAT}): a base spec, the values
 * to try in it, the data, how each trial is evaluated and the metric that ranks the trials. Read
 * and checked by {@link SweepJson}, field by field from the schemas declared here and on each
 * kind ({@link Search}, {@link TrialEvaluation}, {@link Parameter}), like a spec.
 *
 * @param source the file, for messages
 * @param dir where relative paths (specs, data) start: the sweep file's folder
 */
public record Sweep(
    String source, Path dir, Settings settings, Data data, TrialEvaluation evaluation, Search search, List<Parameter> parameters) {
  public static final String FORMAT = "rosetta-sweep/v1";

  public Sweep {
    parameters = List.copyOf(parameters);
  }

  /**
   * The sweep's own fields.
   *
   * @param spec the base spec file, relative to the sweep file ("" when a {@code spec_files}
   *     parameter gives every trial's)
   * @param backend the backend every trial trains on
   * @param threads intra-op threads of every trial's model: fixed, so a trial gives the same bits
   *     wherever it runs
   * @param metric what ranks the trials ("" for the loss's first: accuracy, or RMSE)
   * @param epochs overrides the spec's {@code training.epochs} when > 0
   */
  public record Settings(String format, String name, String spec, String backend, int threads, String metric, int epochs) {
    private static final Field<Settings, String> FORMAT_FIELD = Field.of("format", Codec.STRING, Settings::format)
        .must(Rule.of(FORMAT::equals, "must be \"" + FORMAT + "\""));
    private static final Field<Settings, String> NAME = Field.of("name", Codec.STRING, Settings::name).orElse("sweep")
        .must(Rule.of(v -> v.matches("[A-Za-z0-9._-]+"), "must be letters, digits, '.', '_' or '-' (it names files)"));
    private static final Field<Settings, String> SPEC = Field.of("spec", Codec.STRING, Settings::spec).orElse("");
    private static final Field<Settings, String> BACKEND = Field.of("backend", Codec.STRING, Settings::backend).orElse("pytorch");
    private static final Field<Settings, Integer> THREADS =
        Field.of("threads", Codec.INT, Settings::threads).orElse(1).must(Rule.AT_LEAST_ONE);
    private static final Field<Settings, String> METRIC = Field.of("metric", Codec.STRING, Settings::metric).orElse("");
    private static final Field<Settings, Integer> EPOCHS =
        Field.of("epochs", Codec.INT, Settings::epochs).orElse(0).must(Rule.NON_NEGATIVE);

    public static final Schema<Settings> SCHEMA = Schema.of(Settings::new, FORMAT_FIELD, NAME, SPEC, BACKEND, THREADS, METRIC, EPOCHS);
  }

  /**
   * The trials' data ({@code data}); absent: the embedded Fashion-MNIST subset.
   *
   * @param path an IDX folder, a CSV file or a folder with {@code train.csv} (relative to the
   *     sweep file), or "" for the embedded subset; a spec with a preprocess section needs a table.
   *     It must be readable at the same path wherever trials run.
   * @param labelColumn a CSV's label column ("" for the readers' default)
   * @param trainSamples use the first N training samples only, 0 for all
   */
  public record Data(String path, String labelColumn, int trainSamples) {
    public static final Data EMBEDDED = new Data("", "", 0);

    private static final Field<Data, String> PATH = Field.of("path", Codec.STRING, Data::path).orElse("");
    private static final Field<Data, String> LABEL = Field.of("label_column", Codec.STRING, Data::labelColumn).orElse("");
    private static final Field<Data, Integer> SAMPLES =
        Field.of("train_samples", Codec.INT, Data::trainSamples).orElse(0).must(Rule.NON_NEGATIVE);

    public static final Schema<Data> SCHEMA = Schema.of(Data::new, PATH, LABEL, SAMPLES);
  }
}
