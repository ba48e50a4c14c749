package dev.rosetta.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.data.Vocabulary;
import dev.rosetta.generate.Generator;
import dev.rosetta.generate.Sampling;
import dev.rosetta.spec.CheckedSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rosetta generate}: continues a text with a next-token model trained on text, whose
 * vocabulary travels with its checkpoint or ONNX file. Greedy by default; with a temperature it
 * samples, its random numbers drawn in Java from the seed, so the same logits give the same
 * text on PyTorch, TensorFlow and ONNX Runtime.
 */
@Command(name = "generate", description = "Continue a text with a next-token model trained on text: greedy, or sampled with Java-drawn random numbers (the same text on every runtime).")
final class GenerateCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Spec file.")
  Path specFile;

  @Mixin ModelSource source;

  @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The text to continue; every character must be in the model's vocabulary.")
  String prompt;

  @Option(names = "--tokens", required = true, paramLabel = "N", description = "How many tokens (characters) to generate.")
  int tokens;

  @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "0 (default): greedy; above 0: sample from softmax(logits / T).")
  double temperature;

  @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "When sampling, only from the K most likely tokens (default 0: all).")
  int topK;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the sampling draws (default: the spec's training seed).")
  Long seed;

  @Option(names = "--json", description = "End with one JSON object: the text, the token ids, the timing.")
  boolean json;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec cmd;

  /** What a run generated, on which runtime, in how long. */
  private record Generated(int[] ids, Vocabulary vocabulary, String runtime, long nanos) {}

  private Generated generate(CheckedSpec spec, Sampling sampling) throws IOException {
    try (ModelSource.Opened model = source.open(spec, specFile)) {
      Vocabulary vocabulary = model.vocabulary();
      if (vocabulary == null) {
        throw new Rosetta.UserInputException(
            "this model has no vocabulary: generate reads and writes text, and the checkpoint (or ONNX file) holds none;"
                + " train it on a text file (--data FILE) to store one");
      }
      int[] prompted = vocabulary.encode(prompt, "prompt");
      Generator generator = new Generator(model.model(), spec);
      long start = System.nanoTime();
      int[] ids = generator.generate(prompted, tokens, sampling);
      return new Generated(ids, vocabulary, model.runtime(), System.nanoTime() - start);
    }
  }

  /** The options as a {@link Sampling}; values it refuses are usage errors. */
  private Sampling sampling(CheckedSpec spec) {
    try {
      return new Sampling(temperature, topK, seed != null ? seed : spec.training().seed());
    } catch (IllegalArgumentException e) {
      throw new Rosetta.UserInputException("--" + e.getMessage());
    }
  }

  @Override
  public Integer call() throws IOException {
    CheckedSpec spec = SpecFiles.load(specFile, cmd.commandLine().getErr());
    Sampling sampling = sampling(spec);
    if (tokens <= 0) {
      throw new Rosetta.UserInputException("--tokens must be > 0 (got " + tokens + ")");
    }
    PrintWriter out = cmd.commandLine().getOut();
    Generated g = generate(spec, sampling);
    int[] generated = g.ids();
    Vocabulary vocabulary = g.vocabulary();
    String runtime = g.runtime();
    long nanos = g.nanos();
    String text = vocabulary.decode(generated);
    out.println(prompt + text);
    out.printf(Locale.ROOT, "[%d tokens on %s, %s, %.1f tokens/s]%n", tokens, runtime,
        sampling.greedy() ? "greedy" : String.format(Locale.ROOT, "temperature %s, top-k %s, seed %d", temperature,
            topK == 0 ? "all" : Integer.toString(topK), sampling.seed()),
        tokens / (nanos / 1e9));
    if (json) {
      ObjectNode o = Json.object();
      o.put("backend", runtime);
      o.put("prompt", prompt);
      o.put("text", text);
      ArrayNode ids = o.putArray("tokens");
      for (int id : generated) {
        ids.add(id);
      }
      o.put("greedy", sampling.greedy());
      Json.put(o, "temperature", temperature);
      o.put("top_k", topK);
      o.put("seed", sampling.seed());
      Json.put(o, "tokens_per_second", tokens / (nanos / 1e9));
      out.println(Json.line(o));
    }
    out.flush();
    return Rosetta.OK;
  }
}
