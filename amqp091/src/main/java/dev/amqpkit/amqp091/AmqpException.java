package dev.amqpkit.amqp091;

/**
 * The root of every error the AMQP 0-9-1 client reports. Unchecked: the subclasses say what
 * happened and carry the protocol's data.
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
