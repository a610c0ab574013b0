package dev.amqpkit.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
    return run(stdin, stop, new ByteArrayOutputStream(), args);
  }

  /** Runs with standard output going to {@code out}; the result holds what it kept. */
  static Result run(byte[] stdin, StopSignal stop, OutputStream out, String... args) {
    return run(new ByteArrayInputStream(stdin), stop, out, args);
  }

  /** Runs with this standard input, and standard output going to {@code out}. */
  static Result run(InputStream stdin, StopSignal stop, OutputStream out, String... args) {
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    OutputStream both =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            out.write(b);
            kept.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            kept.write(b, off, len);
          }
        };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Io io =
        new Io(
            stdin,
            new PrintStream(both, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            stop);
    int exit = Main.run(io, args);
    return new Result(exit, kept.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  /** Standard output that takes {@code limit} bytes, then fails as a closed pipe does. */
  static OutputStream closingAfter(int limit) {
    return new OutputStream() {
      private int written;

      @Override
      public void write(int b) throws IOException {
        if (written >= limit) throw new IOException("Broken pipe");
        written++;
      }
    };
  }
}
