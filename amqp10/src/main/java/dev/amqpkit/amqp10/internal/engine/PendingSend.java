package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.Outcome;
import java.util.concurrent.CompletableFuture;

/**
 * The future of an unsettled send: completed with the receiver's outcome, or failed when its link
 * closes first. A self-healing sender's {@link RetainedSend} takes the failure over instead.
 */
class PendingSend extends CompletableFuture<Outcome> {
  /** The link the send went out on; set before the send is listed as unsettled. */
  SenderImpl sender;

  PendingSend(SenderImpl sender) {
    this.sender = sender;
  }

  /** The link closed before the outcome arrived. */
  void fail(AmqpException cause) {
    completeExceptionally(cause);
  }
}
