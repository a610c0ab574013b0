package dev.amqpkit.amqp091;

/**
 * No endpoint could be connected to. The message names each endpoint tried and why it failed; the
 * suppressed exceptions hold each failure.
 */
public final class ConnectFailedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public ConnectFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
