package dev.amqpkit.amqp091;

/** What a prefetch limit applies to, in RabbitMQ's reading of {@code basic.qos}'s global flag. */
public enum QosScope {
  /** Each consumer started on the channel afterwards gets its own limit (global = false). */
  PER_CONSUMER,
  /** One limit shared by all consumers on the channel (global = true). */
  PER_CHANNEL
}
