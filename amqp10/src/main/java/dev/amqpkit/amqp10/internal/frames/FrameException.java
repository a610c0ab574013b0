package dev.amqpkit.amqp10.internal.frames;

import dev.amqpkit.amqp10.internal.protocol.Error;
import dev.amqpkit.amqp10.types.Symbol;

/**
 * Bytes from the peer that do not form a valid AMQP 1.0 frame or protocol header: a frame size out
 * of bounds, a bad data offset, an unknown frame type, a body that is not a performative, a
 * protocol header of another protocol. The connection cannot go on; {@link #condition()} is the
 * error condition to close it with, and the message says exactly what was wrong.
 */
public final class FrameException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Symbol condition;

  /**
   * @param condition the error condition to send to the peer, such as {@code
   *     amqp:connection:framing-error}
   * @throws NullPointerException if {@code condition} is null
   */
  public FrameException(Symbol condition, String message) {
    this(condition, message, null);
  }

  /**
   * @param condition the error condition to send to the peer
   * @param cause what the problem was found as, such as a {@code DecodeException}, or null
   * @throws NullPointerException if {@code condition} is null
   */
  public FrameException(Symbol condition, String message, Throwable cause) {
    super(message, cause, false, false);
    if (condition == null) throw new NullPointerException("condition == null");
    this.condition = condition;
  }

  /** The error condition to close the connection with. */
  public Symbol condition() {
    return condition;
  }

  /** The error to send in the {@code close} performative: the condition and this message. */
  public Error toError() {
    return new Error(condition, getMessage(), null);
  }
}
