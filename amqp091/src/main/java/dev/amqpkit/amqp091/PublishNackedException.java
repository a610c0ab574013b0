package dev.amqpkit.amqp091;

/** The broker answered a published message with {@code basic.nack}: it did not take it. */
public final class PublishNackedException extends AmqpException {
  private static final long serialVersionUID = 1L;

  private final long sequenceNumber;

  public PublishNackedException(long sequenceNumber) {
    super("the broker nacked the message with publish sequence number " + sequenceNumber);
    this.sequenceNumber = sequenceNumber;
  }

  public long sequenceNumber() {
    return sequenceNumber;
  }
}
