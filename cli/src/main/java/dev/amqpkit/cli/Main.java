package dev.amqpkit.cli;

import java.util.concurrent.atomic.AtomicBoolean;
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
    // On Ctrl-C the JVM is already shutting down, and exits with the signal's status (130, or
    // 143 for SIGTERM) once the hook sees the command finished; System.exit would only block.
    if (!io.stop().isRequested()) System.exit(code);
  }

  /** Runs the command with these arguments and returns its exit code; never exits the JVM. */
  static int run(Io io, String... args) {
    AtomicBoolean verbose = new AtomicBoolean();
    CommandLine cli = new CommandLine(new AmqpkitCommand(), factory(io));
    cli.setOut(new java.io.PrintWriter(io.out(), true));
    cli.setErr(new java.io.PrintWriter(io.err(), true));
    cli.setExecutionStrategy(
        parsed -> {
          // Logging is set before any client class logs: they are loaded when a command runs.
          for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) verbose.set(true);
          }
          configureLogging(verbose.get());
          return new CommandLine.RunLast().execute(parsed);
        });
    cli.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          CommandFailure failure = Failures.describe(e);
          io.say(failure.getMessage());
          if (verbose.get() && failure.getCause() != null) io.trace(failure.getCause());
          return failure.exitCode();
        });
    cli.setParameterExceptionHandler(
        (e, ignored) -> {
          io.say(e.getMessage());
          io.err()
              .println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return Exit.USAGE;
        });
    return cli.execute(args);
  }

  /**
   * slf4j-simple to stderr: warnings only, and nothing from the embedded broker (the command
   * reports its failures itself), unless --verbose; a system property set wins.
   */
  private static void configureLogging(boolean verbose) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
    }
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.qpid") == null && !verbose) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.qpid", "off");
    }
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
