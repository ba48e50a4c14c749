package dev.rosetta.cli;

import dev.rosetta.spec.SpecIssue;
import dev.rosetta.spec.SpecJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole mission on the embedded data: lint the founding text's TensorFlow mistake, train the
 * seed MLP on PyTorch and on TensorFlow, evaluate each checkpoint on both, check parity, export to
 * ONNX and check the export in ONNX Runtime.
 */
@Command(name = "demo", description = "Run the mission end to end on the embedded Fashion-MNIST subset.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo", description = "Output folder (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--epochs", description = "Override the seed spec's 10 epochs.")
  Integer epochs;

  @Option(names = "--data", paramLabel = "PATH", description = "Data instead of the embedded subset.")
  Path data;

  @CommandLine.Spec CommandLine.Model.CommandSpec cmd;

  @Override
  public Integer call() throws IOException {
    PrintWriter o = cmd.commandLine().getOut();
    Files.createDirectories(out);
    Path seed = copyResource("seed-mlp.json");
    Path mistake = copyResource("seed-mlp-tf-mistake.json");

    section(o, "1. The founding text's TensorFlow version, as a spec: softmax output fed to a from-logits loss");
    for (SpecIssue w : SpecJson.parseWithReport(Files.readString(mistake), mistake.toString()).report().warnings()) {
      o.println("  rosetta warns: " + w.message());
    }

    section(o, "2. The seed network: 784-128-64-10 ReLU, cross-entropy from logits, SGD lr 0.01");
    int rc = run(o, "validate", seed.toString());
    if (rc != 0) {
      return rc;
    }

    section(o, "3. Train on PyTorch (DJL blocks on libtorch)");
    Path ptOut = out.resolve("pytorch");
    rc = run(o, withData("train", seed.toString(), "--backend", "pytorch", "--out", ptOut.toString()));
    if (rc != 0) {
      return rc;
    }

    section(o, "4. Train the same spec on TensorFlow (TF graph through DJL's tensorflow-api)");
    Path tfOut = out.resolve("tensorflow");
    rc = run(o, withData("train", seed.toString(), "--backend", "tensorflow", "--out", tfOut.toString()));
    if (rc != 0) {
      return rc;
    }

    section(o, "5. Evaluate both checkpoints, reloaded from disk, each on the other backend too");
    for (String ckpt : new String[] {ptOut.resolve("checkpoint.safetensors").toString(), tfOut.resolve("checkpoint.safetensors").toString()}) {
      for (String backend : new String[] {"pytorch", "tensorflow"}) {
        rc = run(o, withData("eval", seed.toString(), "--weights", ckpt, "--backend", backend));
        if (rc != 0) {
          return rc;
        }
      }
    }

    section(o, "6. Parity: both backends in lockstep, checked against the contract");
    rc = run(o, withData("parity", seed.toString(), "--epochs", "1"));
    if (rc != 0) {
      return rc;
    }
    section(o, "7. Export to ONNX and check it in ONNX Runtime against PyTorch");
    Path onnx = out.resolve("seed-mlp.onnx");
    rc = run(o, withData("export", seed.toString(), "--weights", ptOut.resolve("checkpoint.safetensors").toString(), "--out", onnx.toString(), "--verify"));
    if (rc != 0) {
      return rc;
    }
    rc = run(o, withData("eval", seed.toString(), "--backend", "onnxruntime", "--model", onnx.toString()));
    if (rc != 0) {
      return rc;
    }
    section(o, "Done. Outputs in " + out);
    o.flush();
    return Rosetta.OK;
  }

  private String[] withData(String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    if (data != null) {
      a.add("--data");
      a.add(data.toString());
    }
    if (epochs != null && args[0].equals("train")) {
      a.add("--epochs");
      a.add(epochs.toString());
    }
    return a.toArray(String[]::new);
  }

  private int run(PrintWriter o, String... args) {
    o.println("$ rosetta " + String.join(" ", args));
    o.flush();
    CommandLine sub = Rosetta.commandLine();
    sub.setOut(o);
    sub.setErr(cmd.commandLine().getErr());
    return sub.execute(args);
  }

  private static void section(PrintWriter o, String title) {
    o.println();
    o.println("== " + title);
    o.flush();
  }

  private Path copyResource(String name) throws IOException {
    Path p = out.resolve(name);
    try (InputStream in = DemoCommand.class.getResourceAsStream(name)) {
      dev.rosetta.io.AtomicFile.writeString(p, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    return p;
  }
}
