package dev.amqpkit.amqp091;

/**
 * Receives a consumer's deliveries. Runs off the I/O thread, one delivery at a time per channel, in
 * the order the broker sent them; a slow handler delays its channel only.
 */
@FunctionalInterface
public interface DeliveryHandler {
  void handle(Delivery delivery) throws Exception;

  /**
   * The consumer was cancelled: by {@link Channel#basicCancel} ({@link CloseInitiator#APPLICATION})
   * or by the broker, for instance because its queue was deleted ({@link CloseInitiator#BROKER}).
   * Runs after every delivery the handler was given.
   */
  default void cancelled(String consumerTag, CloseInitiator initiator) {}
}
