package dev.amqpkit.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command in this JVM, as {@code amqpkit ARGS}, and captures what it printed. */
final class Cli {
  private Cli() {}

  /** What a run printed, and its exit code. */
  record Result(int exit, byte[] stdout, String err) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out() + "--- stderr\n" + err;
    }
  }

  static Result run(String... args) {
    return run(new byte[0], new StopSignal(), args);
  }

  static Result run(byte[] stdin, String... args) {
    return run(stdin, new StopSignal(), args);
  }

  static Result run(byte[] stdin, StopSignal stop, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Io io =
        new Io(
            new ByteArrayInputStream(stdin),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            stop);
    int exit = Main.run(io, args);
    return new Result(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }
}
