package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.BasicProperties;

/**
 * A publish kept, with a copy of its body, until the broker confirms it, so that a channel that
 * recovers can send it again. It is the publish's place in the window and, when the application
 * asked for one, its future. The copy comes from the {@link CopyPool}, and goes back to it once the
 * publish is settled by a confirm: sent, so nothing reads it again.
 */
final class RetainedPublish extends PublishWindow.PendingConfirm {
  final String exchange;
  final String routingKey;
  final boolean mandatory;
  final BasicProperties properties;
  // The copy, its first bodyLength bytes; null once settled: a future the application keeps
  // holds no copy of it.
  byte[] body;
  final int bodyLength;
  private final boolean completes;
  // Kept by the recovering channel, under its lock: the publish's place in the order publishes
  // were made, and whether it waits in the buffer of publishes made while recovering.
  long order;
  boolean buffered;
  boolean waiting; // in the channel's queue of publishes to send
  AmqpChannel sentOn; // the channel it was last handed to

  RetainedPublish(
      String exchange,
      String routingKey,
      boolean mandatory,
      BasicProperties properties,
      byte[] body,
      boolean completes) {
    this.bodyLength = body.length;
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.mandatory = mandatory;
    this.properties = properties;
    this.body = CopyPool.copyOf(body);
    this.completes = completes;
    if (mandatory && completes) {
      mandatoryExchange = exchange;
      mandatoryRoutingKey = routingKey;
    }
  }

  /** Gives the copy back to the pool: the broker confirmed (or nacked) the publish. */
  void release() {
    byte[] copy = body;
    if (copy == null) return;
    body = null;
    CopyPool.giveBack(copy);
  }

  @Override
  boolean completes() {
    return completes;
  }
}
