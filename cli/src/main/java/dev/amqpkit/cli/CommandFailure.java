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

  int exitCode() {
    return exitCode;
  }
}
