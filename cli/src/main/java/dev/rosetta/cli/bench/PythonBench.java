package dev.rosetta.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.backend.OpenMpWait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A plain Python framework timed by {@code examples/python/plain_bench.py} in a child process,
 * one process per round: the same spec, Rosetta's initial weights (a checkpoint the process
 * reads) and batch order, the batch size and the data (an IDX folder, or the text a token spec
 * reads). The process's start-up (importing the framework, reading the data) is not timed;
 * plain_bench.py times its own warm-up and windows and prints them as JSON.
 */
public final class PythonBench implements Contender {
  /** The environment variable naming the Python to use when {@code --python} is not given. */
  public static final String PYTHON_ENV = "ROSETTA_PYTHON";

  /** Which module each plain_bench.py framework imports, to say what is missing. */
  private static final Map<String, String> MODULES =
      Map.of("torch", "torch", "keras", "keras", "keras-fit", "keras", "tf-function", "tensorflow");

  /** Whether a Python has a module, asked once per process. */
  private static final Map<String, String> PROBED = new ConcurrentHashMap<>();

  private final Python python;
  private final String framework;
  private final int threads;
  private final String mode;
  private final int inferBatch;
  private final boolean severalThreadCounts;

  /**
   * @param mode {@code train} or {@code infer}
   * @param severalThreadCounts whether the same framework also runs on another count (the label says which)
   */
  public PythonBench(Python python, String framework, int threads, String mode, int inferBatch, boolean severalThreadCounts) {
    this.python = python;
    this.framework = framework;
    this.threads = threads;
    this.mode = mode;
    this.inferBatch = inferBatch;
    this.severalThreadCounts = severalThreadCounts;
  }

  /**
   * Where and how to run Python: the interpreter, plain_bench.py, and what it reads.
   *
   * @param executable the interpreter, or null when none was found (every row then says so)
   * @param script plain_bench.py, or null when not found
   * @param spec the spec file as the Java side runs it (training overrides applied)
   * @param data what plain_bench.py reads as {@code --data}
   * @param init the initial weights as a checkpoint, the ones the Java contenders start from
   */
  public record Python(Path executable, String why, Path script, Path spec, Data data, Path init) {}

  /**
   * The training data as plain_bench.py reads it: an IDX folder, or for a spec reading token ids
   * the text file or folder; {@code path} null, and {@code whyNot} saying why, when the data the
   * Java contenders train on is not one plain_bench.py can read.
   */
  public record Data(Path path, String whyNot) {
    public static Data of(Path path) {
      return new Data(path, null);
    }

    public static Data unreadable(String whyNot) {
      return new Data(null, whyNot);
    }
  }

  @Override
  public String name() {
    return framework;
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public String label() {
    return severalThreadCounts ? framework + " (" + threads + (threads == 1 ? " thread)" : " threads)") : framework;
  }

  @Override
  public Measurement measure(double seconds, int warmup) {
    requireAvailable();
    List<String> cmd = new ArrayList<>(List.of(
        python.executable().toString(), python.script().toString(), "--framework", framework,
        "--spec", python.spec().toString(), "--data", python.data().path().toString(), "--init", python.init().toString(),
        "--threads", Integer.toString(threads), "--warmup-steps", Integer.toString(warmup), "--seconds", Double.toString(seconds),
        "--mode", mode, "--infer-batch", Integer.toString(inferBatch), "--json"));
    Run r = run(cmd, (long) (seconds * 10 + 300));
    String last = r.out().strip();
    last = last.substring(last.lastIndexOf('\n') + 1);
    if (r.code() != 0 || !last.startsWith("{")) {
      throw new IllegalStateException(label() + ": plain_bench.py exited " + r.code() + ": " + tail(r.err()));
    }
    try {
      JsonNode j = new ObjectMapper().readTree(last);
      List<Double> rates = new ArrayList<>();
      j.get("window_samples_per_second").forEach(v -> rates.add(v.asDouble()));
      double p50 = j.has("latency_p50_ms") ? j.get("latency_p50_ms").asDouble() : Double.NaN;
      double p99 = j.has("latency_p99_ms") ? j.get("latency_p99_ms").asDouble() : Double.NaN;
      return new Measurement(j.get("samples_per_second").asDouble(), rates, p50, p99);
    } catch (IOException e) {
      throw new IllegalStateException(label() + ": unreadable output of plain_bench.py: " + last, e);
    }
  }

  /** Throws {@link Contender.Unavailable} saying what is missing: Python, the script, the module. */
  private void requireAvailable() {
    if (python.executable() == null) {
      throw new Unavailable(python.why());
    }
    if (python.data().path() == null) {
      throw new Unavailable(python.data().whyNot());
    }
    if (python.script() == null) {
      throw new Unavailable("examples/python/plain_bench.py not found (run from a Rosetta checkout)");
    }
    String module = MODULES.get(framework);
    String key = python.executable() + " " + module;
    String missing = PROBED.computeIfAbsent(key, k -> {
      Run r = run(List.of(python.executable().toString(), "-c", "import numpy, " + module), 120);
      return r.code() == 0 ? "" : python.executable() + " cannot import " + module + " and numpy (give --python or " + PYTHON_ENV + ")";
    });
    if (!missing.isEmpty()) {
      throw new Unavailable(missing);
    }
  }

  private record Run(int code, String out, String err) {}

  private static Run run(List<String> cmd, long timeoutSeconds) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("rosetta-python", ".out");
      err = Files.createTempFile("rosetta-python", ".err");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      // Quiet TensorFlow's native INFO lines, as Rosetta's own TensorFlow backend does, give
      // Keras the oneDNN kernels Rosetta's TensorFlow backend turns on, and give PyTorch's OpenMP
      // workers the wait Rosetta's PyTorch backend gives them.
      Map<String, String> env = pb.environment();
      env.putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
      env.putIfAbsent("TF_ENABLE_ONEDNN_OPTS", "1");
      env.putAll(OpenMpWait.unlessSet(env::get));
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Run(-1, "", "timed out after " + timeoutSeconds + " s");
      }
      return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Run(-1, "", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Run(-1, "", "interrupted");
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // a temporary file left behind is harmless
      }
    }
  }

  private static String tail(String s) {
    String t = s.strip();
    return t.length() > 600 ? "..." + t.substring(t.length() - 600) : t;
  }

  /**
   * The interpreter to use: {@code explicit} (from {@code --python}), else {@link #PYTHON_ENV},
   * else {@code python3} on the PATH; null with the reason when there is none.
   */
  public static Python locate(Path explicit, Path script, Path spec, Data data, Path init) {
    String env = System.getenv(PYTHON_ENV);
    Path exe = explicit != null ? explicit : env != null && !env.isBlank() ? Path.of(env) : onPath("python3");
    String why = null;
    if (exe == null) {
      why = "no python3 on the PATH (give --python PATH or set " + PYTHON_ENV + ")";
    } else if (!Files.isExecutable(exe)) {
      why = exe + " is not an executable Python (give --python PATH or set " + PYTHON_ENV + ")";
      exe = null;
    }
    return new Python(exe, why, script, spec, data, init);
  }

  private static Path onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** examples/python/plain_bench.py in the checkout this command runs from, or null. */
  public static Path findScript(Path... startingPoints) {
    for (Path start : startingPoints) {
      for (Path dir = start == null ? null : start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
        Path p = dir.resolve("examples/python/plain_bench.py");
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
    }
    return null;
  }
}
