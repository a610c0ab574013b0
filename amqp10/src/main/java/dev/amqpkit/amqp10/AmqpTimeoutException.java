package dev.amqpkit.amqp10;

/**
 * A blocking call did not complete within its timeout; the message names the call and the bound.
 */
public final class AmqpTimeoutException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public AmqpTimeoutException(String message) {
    super(message);
  }
}
