package dev.amqpkit.amqp10;

/**
 * A delivery was settled after the link it arrived on failed and a self-healing receiver attached
 * the link again. The peer took the delivery back when the link failed and delivers it again, so
 * settling it did nothing: {@link Delivery#settle} returns normally and {@link
 * Delivery#settlement()} completes with this exception. Its cause is the failure.
 */
public final class StaleDeliveryException extends AmqpException {
  private static final long serialVersionUID = 1L;

  public StaleDeliveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
