package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A message as it arrived on a receiver, with what settles it. Settle each delivery once, with
 * {@link #accept}, {@link #reject}, {@link #release} or {@link #modify}; a delivery the sender sent
 * settled needs none (settling it anyway does nothing).
 *
 * <p>Thread-safe.
 */
public interface Delivery {

  /**
   * The message, decoded on first call (on the calling thread, not the connection's).
   *
   * @throws MalformedMessageException if the payload is not a valid AMQP message; the delivery can
   *     still be settled, typically with {@link #reject}
   */
  Message message();

  /** The payload as it arrived: the encoded sections of the message. */
  Binary payload();

  /** The tag the sender gave the delivery. */
  Binary deliveryTag();

  /** The message format of the transfer; 0 for the standard AMQP message format. */
  long messageFormat();

  /** Whether the sender sent the delivery settled, so no outcome is expected. */
  boolean remotelySettled();

  /** The message was processed. */
  void accept();

  /** The message is invalid; {@code error}, which may be null, says why. */
  void reject(AmqpError error);

  /** The message was not processed; the peer may deliver it again, here or elsewhere. */
  void release();

  /**
   * The message was not processed and is to be changed: counted as a failed delivery, not to be
   * delivered here again, and/or with annotations merged into its message annotations.
   */
  void modify(
      boolean deliveryFailed, boolean undeliverableHere, Map<Symbol, Object> messageAnnotations);

  /**
   * Settles with an outcome; {@link #accept()} and the others call this.
   *
   * <p>On a self-healing connection, a delivery that arrived before its link failed is stale: the
   * peer took it back and delivers it again (once the link is attached again, or to another
   * receiver). Settling it then does nothing and does not throw; {@link #settlement()} completes
   * with a {@link StaleDeliveryException}.
   *
   * @throws IllegalStateException if the delivery was already settled here
   * @throws LinkClosedException if the link closed (its deliveries went back to the peer)
   * @throws SessionClosedException if the session ended
   */
  void settle(Outcome outcome);

  /**
   * Completes once the delivery is settled on both sides: at once after settling in {@link
   * ReceiverSettleMode#FIRST} mode, when the sender settles in {@link ReceiverSettleMode#SECOND}
   * mode.
   */
  CompletableFuture<Void> settlement();
}
