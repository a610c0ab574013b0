package dev.amqpkit.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * Where a command reads its input and writes its output: the process's standard streams, or a
 * test's. Results go to {@code out}, everything said to the person running the command to {@code
 * err}. {@code stop} is how Ctrl-C reaches a command that runs until stopped.
 */
record Io(InputStream in, PrintStream out, PrintStream err, StopSignal stop) {

  static Io system() {
    return new Io(System.in, System.out, System.err, new StopSignal());
  }

  /** Tells the person running the command something, on stderr, as one line without passwords. */
  void say(String line) {
    err.println("amqpkit: " + Redact.passwords(line));
    err.flush();
  }

  /** Prints a stack trace to stderr, without passwords (for {@code --verbose}). */
  void trace(Throwable t) {
    java.io.StringWriter text = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(text));
    err.print(Redact.passwords(text.toString()));
    err.flush();
  }
}
