package dev.amqpkit.amqp091;

/**
 * A mandatory message the broker could not route, sent back with {@code basic.return}.
 *
 * @param replyCode why: 312 NO_ROUTE, 313 NO_CONSUMERS
 */
public record ReturnedMessage(
    int replyCode,
    String replyText,
    String exchange,
    String routingKey,
    BasicProperties properties,
    byte[] body) {

  @Override
  public String toString() {
    return "ReturnedMessage{"
        + replyCode
        + " "
        + replyText
        + ", exchange="
        + exchange
        + ", routingKey="
        + routingKey
        + ", "
        + body.length
        + " bytes}";
  }
}
