package dev.amqpkit.amqp091;

/** Hears what happens to a channel. Callbacks run on the channel's callback executor. */
public interface ChannelListener {
  /** The channel closed, for whatever reason; called once. */
  default void closed(ChannelClosedException cause) {}

  /** A mandatory message came back unrouted. */
  default void returned(ReturnedMessage message) {}

  /** The broker asked the client to stop ({@code false}) or resume ({@code true}) sending. */
  default void flow(boolean active) {}
}
