package dev.amqpkit.amqp091;

/**
 * The broker sent bytes that break the protocol: a malformed frame, a frame out of order, an
 * unknown method. The client closed the connection with {@link #replyCode()} (501 FRAME_ERROR, 502
 * SYNTAX_ERROR, 505 UNEXPECTED_FRAME, 540 NOT_IMPLEMENTED).
 */
public final class ProtocolException extends ConnectionClosedException {
  private static final long serialVersionUID = 1L;

  public ProtocolException(int replyCode, String message) {
    super(
        "protocol error from the broker: " + message,
        new CloseReason(replyCode, message, 0, 0),
        CloseInitiator.CLIENT,
        null);
  }
}
