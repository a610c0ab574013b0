package dev.amqpkit.amqp091.internal;

/**
 * Bytes from the peer that break the protocol. Carries the reply code the client sends when it
 * closes the connection over it: 501 FRAME_ERROR for framing, 502 SYNTAX_ERROR for a bad field, 505
 * UNEXPECTED_FRAME for a frame out of order, 540 NOT_IMPLEMENTED for an unknown method.
 */
public final class MalformedFrameException extends Exception {
  private static final long serialVersionUID = 1L;

  public static final int FRAME_ERROR = 501;
  public static final int SYNTAX_ERROR = 502;
  public static final int COMMAND_INVALID = 503;
  public static final int CHANNEL_ERROR = 504;
  public static final int UNEXPECTED_FRAME = 505;
  public static final int NOT_IMPLEMENTED = 540;

  private final int replyCode;

  public MalformedFrameException(int replyCode, String message) {
    super(message, null, false, false);
    this.replyCode = replyCode;
  }

  public int replyCode() {
    return replyCode;
  }
}
