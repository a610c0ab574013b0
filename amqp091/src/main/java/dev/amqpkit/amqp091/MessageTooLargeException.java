package dev.amqpkit.amqp091;

/**
 * A message is larger than allowed: an outbound body over what the broker accepts, or an inbound
 * message whose content header declares more than the configured maximum inbound size.
 */
public final class MessageTooLargeException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  public MessageTooLargeException(String message, long size, long limit) {
    super(message);
    this.size = size;
    this.limit = limit;
  }

  public long size() {
    return size;
  }

  public long limit() {
    return limit;
  }
}
