package dev.amqpkit.amqp10;

/**
 * The peer broke the protocol (a malformed frame, a frame out of place), and this client closed the
 * connection with the error in {@link #error()}, which says exactly what it found.
 */
public final class ProtocolException extends ConnectionClosedException {
  private static final long serialVersionUID = 1L;

  public ProtocolException(String message, AmqpError error, Throwable cause) {
    super(message, error, CloseInitiator.CLIENT, cause);
  }
}
