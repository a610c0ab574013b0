package dev.amqpkit.amqp10;

/**
 * A link detached, or could not attach: every later call on it throws this. {@link #error()} is the
 * error of the {@code detach}, with the condition, description and info the peer gave, or null.
 * When the link's session or connection ended, calls throw the session's exception instead.
 */
public final class LinkClosedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final transient AmqpError error;
  private final CloseInitiator initiator;

  public LinkClosedException(
      String message, AmqpError error, CloseInitiator initiator, Throwable cause) {
    super(message, cause);
    this.error = error;
    this.initiator = initiator;
  }

  /** The error of the {@code detach} that closed the link, or null. */
  public AmqpError error() {
    return error;
  }

  public CloseInitiator initiator() {
    return initiator;
  }
}
