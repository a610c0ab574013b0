package dev.amqpkit.cli;

import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * The {@code amqpkit} command's entry point. Errors are one line on stderr, prefixed {@code
 * amqpkit:}, with an exit code from {@link Exit}; {@code --verbose} adds the stack trace.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Io io = Io.system();
    io.stop().installShutdownHook();
    int code = run(io, args);
    io.stop().finished();
    // A shutdown under way (Ctrl-C) is waiting for this thread; exiting now would block forever.
    if (!io.stop().isRequested()) System.exit(code);
  }

  /** Runs the command with these arguments and returns its exit code; never exits the JVM. */
  static int run(Io io, String... args) {
    boolean verbose = verbose(args);
    configureLogging(verbose);
    CommandLine cli = new CommandLine(new AmqpkitCommand(), factory(io));
    cli.setOut(new java.io.PrintWriter(io.out(), true));
    cli.setErr(new java.io.PrintWriter(io.err(), true));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          CommandFailure failure = Failures.describe(e);
          io.say(failure.getMessage());
          if (verbose && failure.getCause() != null) failure.getCause().printStackTrace(io.err());
          return failure.exitCode();
        });
    cli.setParameterExceptionHandler(
        (e, args1) -> {
          io.say(e.getMessage());
          CommandLine sub = e.getCommandLine();
          io.err().println("Try '" + sub.getCommandSpec().qualifiedName() + " --help'.");
          return Exit.USAGE;
        });
    return cli.execute(args);
  }

  private static boolean verbose(String[] args) {
    List<String> list = Arrays.asList(args);
    return list.contains("-v") || list.contains("--verbose");
  }

  /** slf4j-simple to stderr: warnings only, unless --verbose; a system property set wins. */
  private static void configureLogging(boolean verbose) {
    System.setProperty(
        "org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn"));
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
  }

  private static CommandLine.IFactory factory(Io io) {
    CommandLine.IFactory fallback = CommandLine.defaultFactory();
    return new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        try {
          return type.getDeclaredConstructor(Io.class).newInstance(io);
        } catch (NoSuchMethodException e) {
          return fallback.create(type);
        }
      }
    };
  }
}
