package dev.amqpkit.amqp10;

/**
 * No endpoint could be reached. The message lists each endpoint tried and why it failed; the
 * failures are attached as suppressed exceptions.
 */
public final class ConnectFailedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public ConnectFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
