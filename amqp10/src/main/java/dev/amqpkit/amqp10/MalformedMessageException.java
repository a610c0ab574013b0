package dev.amqpkit.amqp10;

/**
 * Bytes that are not a valid AMQP 1.0 message: the message says what is wrong and where, such as a
 * section out of order, two kinds of body, or a value that does not decode.
 */
public final class MalformedMessageException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
