package dev.amqpkit.amqp10;

/**
 * The connection is closed: every call on it, and on what it carries, throws this. {@link
 * #initiator()} says who closed it; {@link #error()} is the error the closing {@code close} frame
 * carried, sent by the peer or by this client, or null when there was none (a clean close, or a
 * network failure, whose cause is then {@link #getCause()}).
 */
public class ConnectionClosedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final transient AmqpError error;
  private final CloseInitiator initiator;

  public ConnectionClosedException(
      String message, AmqpError error, CloseInitiator initiator, Throwable cause) {
    super(message, cause);
    this.error = error;
    this.initiator = initiator;
  }

  /** The error of the {@code close} that ended the connection, or null. */
  public AmqpError error() {
    return error;
  }

  public CloseInitiator initiator() {
    return initiator;
  }
}
