package dev.amqpkit.amqp091;

/** A bounded wait ran out: connect, an RPC, a confirm wait or a close. */
public final class AmqpTimeoutException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public AmqpTimeoutException(String message) {
    super(message);
  }
}
