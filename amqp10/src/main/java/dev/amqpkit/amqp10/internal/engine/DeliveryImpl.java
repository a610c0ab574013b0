package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.Delivery;
import dev.amqpkit.amqp10.MalformedMessageException;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.Outcome;
import dev.amqpkit.amqp10.StaleDeliveryException;
import dev.amqpkit.amqp10.internal.codec.DecodeException;
import dev.amqpkit.amqp10.internal.message.MessageCodec;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** A received delivery: its payload, decoded on demand, and its settlement. */
final class DeliveryImpl implements Delivery {
  final ReceiverImpl receiver;
  final long deliveryId;
  private final Binary tag;
  private final long messageFormat;
  private final byte[] payload;
  final boolean remotelySettled;
  final int frames; // the transfer frames it came in
  private static final AtomicIntegerFieldUpdater<DeliveryImpl> SETTLED_HERE =
      AtomicIntegerFieldUpdater.newUpdater(DeliveryImpl.class, "settledHere");
  private volatile int settledHere; // 1 once settled here; through SETTLED_HERE
  private CompletableFuture<Void> settlement; // made on first need; guarded by this
  private boolean settledBothSides; // guarded by this
  private volatile Message message;

  DeliveryImpl(
      ReceiverImpl receiver,
      long deliveryId,
      Binary tag,
      long messageFormat,
      byte[] payload,
      boolean remotelySettled,
      int frames) {
    this.receiver = receiver;
    this.deliveryId = deliveryId;
    this.tag = tag;
    this.messageFormat = messageFormat;
    this.payload = payload;
    this.remotelySettled = remotelySettled;
    this.frames = frames;
  }

  @Override
  public Message message() {
    Message m = message;
    if (m == null) {
      try {
        m = MessageCodec.forThisThread().decode(ByteBuffer.wrap(payload), messageFormat);
      } catch (DecodeException e) {
        throw new MalformedMessageException(
            "delivery "
                + deliveryId
                + " on link '"
                + receiver.name
                + "' is not a valid AMQP "
                + "message: "
                + e.getMessage(),
            e);
      }
      message = m;
    }
    return m;
  }

  @Override
  public Binary payload() {
    return Binary.wrap(payload);
  }

  @Override
  public Binary deliveryTag() {
    return tag;
  }

  @Override
  public long messageFormat() {
    return messageFormat;
  }

  @Override
  public boolean remotelySettled() {
    return remotelySettled;
  }

  @Override
  public void accept() {
    settle(Outcome.ACCEPTED);
  }

  @Override
  public void reject(AmqpError error) {
    settle(new Outcome.Rejected(error));
  }

  @Override
  public void release() {
    settle(Outcome.RELEASED);
  }

  @Override
  public void modify(
      boolean deliveryFailed, boolean undeliverableHere, Map<Symbol, Object> messageAnnotations) {
    settle(
        new Outcome.Modified(
            deliveryFailed,
            undeliverableHere,
            messageAnnotations == null ? Map.of() : messageAnnotations));
  }

  @Override
  public void settle(Outcome outcome) {
    Objects.requireNonNull(outcome, "outcome == null");
    if (remotelySettled && receiver.selfHealing()) {
      // Needs no settling, whatever became of its link.
      markSettledHere();
      settledBothSides();
      return;
    }
    if (receiver.stale()) {
      markSettledHere();
      goneStale(receiver.closeCause());
      return;
    }
    receiver.checkOpen();
    markSettledHere();
    try {
      receiver.settle(this, outcome);
    } catch (AmqpException e) {
      // The connection failed as this settled, before the link heard of it.
      if (!receiver.selfHealing() || !RecoveringConnection.recoverable(e)) throw e;
      goneStale(e);
    }
  }

  private void markSettledHere() {
    if (!SETTLED_HERE.compareAndSet(this, 0, 1)) {
      throw new IllegalStateException("delivery " + deliveryId + " is settled already");
    }
  }

  /** The link failed and is attached again: settling did nothing, as the settlement reports. */
  private void goneStale(AmqpException failure) {
    failSettlement(
        new StaleDeliveryException(
            "delivery "
                + deliveryId
                + " on link '"
                + receiver.name
                + "' arrived before the link failed and was attached again; the peer takes it"
                + " back and delivers it again, so settling it here did nothing",
            failure));
  }

  @Override
  public synchronized CompletableFuture<Void> settlement() {
    if (settlement == null) {
      settlement = new CompletableFuture<>();
      if (settledBothSides) settlement.complete(null);
    }
    return settlement;
  }

  /** Settled on both sides. */
  void settledBothSides() {
    CompletableFuture<Void> f;
    synchronized (this) {
      settledBothSides = true;
      f = settlement;
    }
    if (f != null) f.complete(null);
  }

  void failSettlement(RuntimeException cause) {
    settlement().completeExceptionally(cause);
  }

  @Override
  public String toString() {
    return "delivery(" + deliveryId + " on '" + receiver.name + "', " + payload.length + " bytes)";
  }
}
