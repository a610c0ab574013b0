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

  /** Tells the person running the command something, on stderr, as one line. */
  void say(String line) {
    err.println("amqpkit: " + line);
    err.flush();
  }
}
