package dev.amqpkit.amqp091;

/** Hears what happens to a channel. Callbacks run on the channel's callback executor. */
public interface ChannelListener {
  /** The channel closed, for whatever reason; called once. */
  default void closed(ChannelClosedException cause) {}

  /** A mandatory message came back unrouted. */
  default void returned(ReturnedMessage message) {}

  /** The broker asked the client to stop ({@code false}) or resume ({@code true}) sending. */
  default void flow(boolean active) {}

  /**
   * On a channel whose connection recovers: an ack, nack or reject named a delivery from before the
   * recovery (or the connection failed under it). The broker has requeued that message and
   * redelivers it, flagged redelivered, so the call was dropped rather than sent, where it would
   * have closed the channel with 406 PRECONDITION_FAILED.
   */
  default void staleAcknowledgement(long deliveryTag) {}
}
