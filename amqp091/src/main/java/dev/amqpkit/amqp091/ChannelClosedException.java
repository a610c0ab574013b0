package dev.amqpkit.amqp091;

/**
 * The channel is closed: by the application, by the broker with a channel-level error (404
 * NOT_FOUND, 403 ACCESS_REFUSED, 405 RESOURCE_LOCKED, 406 PRECONDITION_FAILED...), or because its
 * connection closed. A channel-level error leaves the connection and its other channels open.
 */
public final class ChannelClosedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final int channelNumber;
  private final CloseReason reason;
  private final CloseInitiator initiator;

  public ChannelClosedException(
      int channelNumber, CloseReason reason, CloseInitiator initiator, Throwable cause) {
    super(
        "channel " + channelNumber + " is closed (" + describe(initiator) + "): " + reason, cause);
    this.channelNumber = channelNumber;
    this.reason = reason;
    this.initiator = initiator;
  }

  private static String describe(CloseInitiator initiator) {
    return switch (initiator) {
      case APPLICATION -> "by the application";
      case BROKER -> "by the broker";
      case CLIENT -> "by the client";
      case NETWORK -> "its connection failed";
    };
  }

  public int channelNumber() {
    return channelNumber;
  }

  /** The reply code and text, and the method that caused the close. */
  public CloseReason reason() {
    return reason;
  }

  /** Shorthand for {@code reason().replyCode()}. */
  public int replyCode() {
    return reason.replyCode();
  }

  /** Who closed the channel; {@link CloseInitiator#BROKER} for a channel-level error. */
  public CloseInitiator initiator() {
    return initiator;
  }
}
