package dev.amqpkit.amqp091;

/**
 * A message the broker delivered: pushed to a consumer ({@code basic.deliver}) or fetched ({@code
 * basic.get-ok}). The body array belongs to the application.
 *
 * @param consumerTag the consumer it was pushed to; empty for a fetched message
 * @param deliveryTag what to acknowledge it with, on the channel it arrived on
 * @param redelivered whether the broker delivered it before
 * @param messageCount for a fetched message, how many stay ready in the queue; -1 when pushed
 */
public record Delivery(
    String consumerTag,
    long deliveryTag,
    boolean redelivered,
    String exchange,
    String routingKey,
    BasicProperties properties,
    byte[] body,
    long messageCount) {

  @Override
  public String toString() {
    return "Delivery{tag="
        + deliveryTag
        + (redelivered ? ", redelivered" : "")
        + ", exchange="
        + exchange
        + ", routingKey="
        + routingKey
        + ", "
        + body.length
        + " bytes}";
  }
}
