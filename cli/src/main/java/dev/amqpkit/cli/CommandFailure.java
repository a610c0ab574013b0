package dev.amqpkit.cli;

/**
 * Why a command stopped, in one line a person can act on, with the exit code that goes with it. The
 * cause, if any, is shown only with {@code --verbose}.
 */
final class CommandFailure extends RuntimeException {
  private final int exitCode;

  CommandFailure(int exitCode, String message) {
    this(exitCode, message, null);
  }

  CommandFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** Options or arguments the command cannot use ({@link Exit#USAGE}). */
  static CommandFailure usage(String message) {
    return new CommandFailure(Exit.USAGE, message);
  }

  int exitCode() {
    return exitCode;
  }
}
