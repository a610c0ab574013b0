package dev.amqpkit.amqp10;

/**
 * The root of the AMQP 1.0 client's exceptions. Unchecked: each subclass names what went wrong and
 * carries what the peer said, where it said anything.
 */
public class AmqpException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AmqpException(String message) {
    super(message);
  }

  public AmqpException(String message, Throwable cause) {
    super(message, cause);
  }
}
