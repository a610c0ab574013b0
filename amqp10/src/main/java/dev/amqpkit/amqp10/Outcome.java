package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.types.Symbol;
import java.util.Map;

/**
 * How the receiving end settled a message: the terminal delivery states of AMQP 1.0. A send
 * completes with one of these; a receiver settles a delivery with one.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Outcome {
  /** The message was processed. */
  Accepted ACCEPTED = new Accepted();

  /** The message was not and will not be processed, and is not to be delivered elsewhere. */
  Released RELEASED = new Released();

  /** The message was processed successfully. */
  record Accepted() implements Outcome {}

  /**
   * The message is invalid and will not be processed; {@code error} says why, when the rejecting
   * end gave a reason.
   */
  record Rejected(AmqpError error) implements Outcome {}

  /** The message was not processed and may be delivered again, to this or another receiver. */
  record Released() implements Outcome {}

  /**
   * The message was not processed and was changed: its delivery failed (the delivery count goes
   * up), it must not be delivered here again, and annotations to merge into the message's.
   *
   * @param annotations message annotations to merge, never null (empty when none)
   */
  record Modified(
      boolean deliveryFailed, boolean undeliverableHere, Map<Symbol, Object> annotations)
      implements Outcome {
    /**
     * @throws NullPointerException if {@code annotations} is null or has a null key
     */
    public Modified {
      annotations = Message.immutableCopy(annotations, "annotations");
    }
  }
}
