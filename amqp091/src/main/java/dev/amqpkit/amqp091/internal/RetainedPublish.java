package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.BasicProperties;

/**
 * A publish kept, with a copy of its body, until the broker confirms it, so that a channel that
 * recovers can send it again. It is the publish's place in the window and, when the application
 * asked for one, its future.
 */
final class RetainedPublish extends PublishWindow.PendingConfirm {
  final String exchange;
  final String routingKey;
  final boolean mandatory;
  final BasicProperties properties;
  final byte[] body;
  private final boolean completes;
  // Kept by the recovering channel, under its lock: the publish's place in the order publishes
  // were made, and whether it waits in the buffer of publishes made while recovering.
  long order;
  boolean buffered;

  RetainedPublish(
      String exchange,
      String routingKey,
      boolean mandatory,
      BasicProperties properties,
      byte[] body,
      boolean completes) {
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.mandatory = mandatory;
    this.properties = properties;
    this.body = body;
    this.completes = completes;
    if (mandatory && completes) {
      mandatoryExchange = exchange;
      mandatoryRoutingKey = routingKey;
    }
  }

  @Override
  boolean completes() {
    return completes;
  }
}
