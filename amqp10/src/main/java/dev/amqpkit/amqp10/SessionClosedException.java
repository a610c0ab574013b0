package dev.amqpkit.amqp10;

/**
 * The session ended: every call on it, and on its links, throws this. {@link #error()} is the error
 * of the {@code end} that ended it, sent by the peer or by this client, or null; when the whole
 * connection closed, the connection's exception is the cause.
 */
public final class SessionClosedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final transient AmqpError error;
  private final CloseInitiator initiator;

  public SessionClosedException(
      String message, AmqpError error, CloseInitiator initiator, Throwable cause) {
    super(message, cause);
    this.error = error;
    this.initiator = initiator;
  }

  /** The error of the {@code end} that ended the session, or null. */
  public AmqpError error() {
    return error;
  }

  public CloseInitiator initiator() {
    return initiator;
  }
}
