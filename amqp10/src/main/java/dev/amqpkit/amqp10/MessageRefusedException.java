package dev.amqpkit.amqp10;

/**
 * The receiving end settled a sent message with an outcome other than accepted, so it was not
 * processed: it {@linkplain Outcome.Rejected rejected} the message (its error says why),
 * {@linkplain Outcome.Released released} it, or {@linkplain Outcome.Modified modified} it. The
 * send's future completes with this exception, never silently; {@link #outcome()} is the outcome.
 */
public final class MessageRefusedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final transient Outcome outcome;

  public MessageRefusedException(String message, Outcome outcome) {
    super(message);
    this.outcome = outcome;
  }

  /** How the receiving end settled the message: rejected, released or modified. */
  public Outcome outcome() {
    return outcome;
  }
}
