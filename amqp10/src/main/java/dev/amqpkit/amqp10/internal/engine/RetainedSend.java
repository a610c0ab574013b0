package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpException;

/**
 * A self-healing sender's send, kept until its outcome arrives: the encoded message, so that a send
 * the failure of its link left without an outcome goes out again, unchanged, on the link that
 * replaces it. When the link closes, the send is handed to its {@link RecoveringSender}, which
 * sends it again once recovered or fails it if the link is gone for good.
 */
final class RetainedSend extends PendingSend {
  final RecoveringSender owner;
  final byte[] payload;
  final long messageFormat;
  final boolean settled;

  /** The order the application sent in; sends are sent again in this order. */
  final long order;

  // Guarded by the owner's lock.
  boolean held; // in the owner's list of sends to send again
  boolean handedOver; // a failure handed it to the owner once: it is the owner's to send or fail
  boolean buffered; // made while recovering: counts against the connection's buffer

  RetainedSend(
      RecoveringSender owner, byte[] payload, long messageFormat, boolean settled, long order) {
    super(null);
    this.owner = owner;
    this.payload = payload;
    this.messageFormat = messageFormat;
    this.settled = settled;
    this.order = order;
  }

  @Override
  void fail(AmqpException cause) {
    owner.handOver(this, cause);
  }
}
