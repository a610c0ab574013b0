package dev.amqpkit.amqp091;

/** What a rejected or nacked message becomes. */
public enum Requeue {
  /** Back in the queue, to be delivered again. */
  REQUEUE,
  /** Dropped, or dead-lettered when the queue has a dead-letter exchange. */
  DISCARD
}
