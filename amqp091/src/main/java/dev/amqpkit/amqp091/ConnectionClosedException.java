package dev.amqpkit.amqp091;

/**
 * The connection is closed, or failed: the broker sent {@code connection.close} (320
 * CONNECTION_FORCED, 501-506, 530, 540, 541...), the application closed it, the socket failed, or
 * heartbeats stopped arriving. {@link #reason()} carries the broker's or our reply code; {@link
 * #getCause()} the I/O error, if any.
 */
public class ConnectionClosedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final CloseReason reason;
  private final CloseInitiator initiator;

  public ConnectionClosedException(
      String message, CloseReason reason, CloseInitiator initiator, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.initiator = initiator;
  }

  /** The reply code and text; for a network failure, 541 with the error's description. */
  public CloseReason reason() {
    return reason;
  }

  public CloseInitiator initiator() {
    return initiator;
  }

  /** Shorthand for {@code reason().replyCode()}. */
  public int replyCode() {
    return reason.replyCode();
  }
}
