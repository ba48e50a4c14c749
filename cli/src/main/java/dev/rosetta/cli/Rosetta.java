package dev.rosetta.cli;

import dev.rosetta.RosettaVersion;
import dev.rosetta.InputException;
import dev.rosetta.train.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code rosetta} command. Exit codes: 0 success, 1 a check failed, 2 bad input or usage. */
@Command(
    name = "rosetta",
    mixinStandardHelpOptions = true,
    versionProvider = Rosetta.Version.class,
    description = "Define a network once; train it on PyTorch or TensorFlow with the same numbers; export to ONNX.",
    subcommands = {
      ValidateCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      PredictCommand.class,
      CvCommand.class,
      SweepCommand.class,
      ReportCommand.class,
      GenerateCommand.class,
      ParityCommand.class,
      BenchCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      ScoreCommand.class,
      InspectCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Rosetta implements Runnable {
  public static final int OK = 0;
  public static final int CHECK_FAILED = 1;
  public static final int BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI in-process and returns its exit code (tests use this). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** Runs the CLI in-process with the given streams and returns its exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    int rc = cl.execute(args);
    out.flush();
    err.flush();
    return rc;
  }

  static CommandLine commandLine() {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    // Charts are drawn off-screen (rosetta report): no display is needed or wanted.
    System.setProperty("java.awt.headless", "true");
    CommandLine cl = new CommandLine(new Rosetta());
    cl.setExecutionExceptionHandler(Rosetta::handle);
    return cl;
  }

  /** Turns the exceptions that mean "bad input" into a one-paragraph message and exit 2. */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
    if (t instanceof InputException || t instanceof IOException) {
      err.println("rosetta: " + t.getMessage());
      return BAD_INPUT;
    }
    if (t instanceof TrainingDivergedException) {
      err.println("rosetta: " + t.getMessage());
      return CHECK_FAILED;
    }
    err.println("rosetta: internal error: " + t);
    t.printStackTrace(err);
    return 70;
  }

  /** Bad input found by a command itself (an option, a combination of options): exit 2. */
  static final class UserInputException extends InputException {
    private static final long serialVersionUID = 1L;

    UserInputException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"rosetta " + RosettaVersion.VERSION};
    }
  }
}
