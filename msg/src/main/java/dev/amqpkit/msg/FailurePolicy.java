package dev.amqpkit.msg;

/** What a server does with a message whose receive failed. */
public enum FailurePolicy {
  /** Puts it back, to be delivered again (to this server or another on the same queue). */
  REDELIVER,
  /**
   * Gives it up: the broker dead-letters it where the queue says so (a dead-letter exchange for
   * RabbitMQ), or drops it; the in-memory backend hands it to its dead-letter queue, if any.
   */
  DEAD_LETTER
}
