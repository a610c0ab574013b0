package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.Outcome;
import java.util.concurrent.CompletableFuture;

/** The future of an unsettled send: completed with the receiver's outcome. */
final class PendingSend extends CompletableFuture<Outcome> {
  final SenderImpl sender;

  PendingSend(SenderImpl sender) {
    this.sender = sender;
  }
}
