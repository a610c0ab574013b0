package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.Outcome;
import dev.amqpkit.amqp10.ReceiverSettleMode;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.SenderOptions;
import dev.amqpkit.amqp10.SenderSettleMode;
import dev.amqpkit.amqp10.internal.message.MessageCodec;
import dev.amqpkit.amqp10.internal.protocol.Attach;
import dev.amqpkit.amqp10.internal.protocol.Flow;
import dev.amqpkit.amqp10.internal.protocol.Role;
import dev.amqpkit.amqp10.internal.protocol.Source;
import dev.amqpkit.amqp10.internal.protocol.Target;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A sending link. A send takes the link's send lock (sends on a link go out one after the other,
 * each delivery's frames together), waits for credit and a place among the unsettled sends, then
 * hands the transfer to the session.
 *
 * <p>Credit lives under the {@code flow} monitor, which the reader thread takes for the peer's
 * {@code flow} and for settlements; it is never held while writing.
 */
final class SenderImpl extends LinkImpl implements Sender {
  private final SenderOptions senderOptions;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final Object flow = new Object();

  // Guarded by flow.
  private long deliveryCount; // this side's, starting at the initial delivery count 0
  private long credit;
  private int inFlight;
  private boolean drainAsked;
  private int waiting;

  private long nextTag; // guarded by sendLock
  private volatile long peerMaxMessageSize; // 0 for none

  SenderImpl(SessionImpl session, String name, long handle, SenderOptions options) {
    super(session, name, handle, options);
    this.senderOptions = options;
  }

  @Override
  Role role() {
    return Role.SENDER;
  }

  @Override
  Attach attach() {
    LinkOptionsWire o = new LinkOptionsWire(options);
    return new Attach(
        name,
        handle,
        Role.SENDER,
        dev.amqpkit.amqp10.internal.protocol.SenderSettleMode.valueOf(
            senderOptions.settleMode().name()),
        senderOptions.receiverSettleMode() == null
            ? null
            : dev.amqpkit.amqp10.internal.protocol.ReceiverSettleMode.valueOf(
                senderOptions.receiverSettleMode().name()),
        new Source(null, null, null, 0, false, null, null, null, null, null, null),
        o.target(),
        null,
        false,
        0L,
        options.maxMessageSize() == 0 ? null : UnsignedLong.valueOf(options.maxMessageSize()),
        null,
        LinkOptionsWire.nullIfEmpty(options.desiredCapabilities()),
        LinkOptionsWire.nullIfEmpty(options.properties()));
  }

  @Override
  String refusal(Attach peer) {
    SenderSettleMode theirs = SenderSettleMode.valueOf(peer.sndSettleMode().name());
    if (theirs != senderOptions.settleMode()) {
      return "sender settle mode "
          + senderOptions.settleMode()
          + " was asked for, the peer answered "
          + theirs;
    }
    ReceiverSettleMode asked = senderOptions.receiverSettleMode();
    ReceiverSettleMode answered = ReceiverSettleMode.valueOf(peer.rcvSettleMode().name());
    if (asked != null && asked != answered) {
      return "receiver settle mode " + asked + " was asked for, the peer answered " + answered;
    }
    UnsignedLong max = peer.maxMessageSize();
    // Beyond Long.MAX_VALUE (bits negative) is no limit in practice.
    peerMaxMessageSize = max == null || max.bits() <= 0 ? 0 : max.bits();
    return null;
  }

  @Override
  String peerAddress() {
    Attach peer = remoteAttach();
    return peer != null && peer.target() instanceof Target t
        ? LinkOptionsWire.address(t.address())
        : null;
  }

  // ---- sending ----

  @Override
  public CompletableFuture<Outcome> send(Message message) {
    return send(message, senderOptions.settleMode() == SenderSettleMode.SETTLED);
  }

  @Override
  public CompletableFuture<Outcome> send(Message message, boolean settled) {
    Objects.requireNonNull(message, "message == null");
    checkSettleMode(senderOptions.settleMode(), settled);
    checkOpen();
    byte[] payload = MessageCodec.forThisThread().encode(message);
    PendingSend pending = settled ? null : new PendingSend(this);
    long deadline = System.nanoTime() + session.requestTimeout().toNanos();
    sendEncoded(payload, message.messageFormat(), pending, deadline);
    return settled ? CompletableFuture.completedFuture(null) : pending;
  }

  /** Throws if the link's settle mode does not allow a send settled as {@code settled} is. */
  static void checkSettleMode(SenderSettleMode mode, boolean settled) {
    if (mode != SenderSettleMode.MIXED && settled != (mode == SenderSettleMode.SETTLED)) {
      throw new IllegalStateException(
          "a link in sender settle mode "
              + mode
              + " cannot send "
              + (settled ? "" : "un")
              + "settled");
    }
  }

  /**
   * Sends an encoded message: unsettled with {@code pending} as its future, settled when it is
   * null. Waits as {@link #send(Message)}, at most until {@code deadline} (of {@link
   * System#nanoTime}), and throws as it does; when it throws, {@code pending} is not left listed as
   * unsettled.
   */
  void sendEncoded(byte[] payload, long messageFormat, PendingSend pending, long deadline) {
    boolean settled = pending == null;
    long max = peerMaxMessageSize;
    if (max > 0 && payload.length > max) {
      throw new IllegalArgumentException(
          "the message takes "
              + payload.length
              + " bytes; the peer takes at most "
              + max
              + " on link '"
              + name
              + "'");
    }
    if (pending != null) pending.sender = this;
    try {
      if (!sendLock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        throw new AmqpTimeoutException(
            "link '" + name + "': other sends held the link for " + session.requestTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while waiting to send on link '" + name + "'", e);
    }
    try {
      takeCredit(settled, deadline);
      boolean sent = false;
      try {
        session.transfer(this, tag(), payload, messageFormat, pending, deadline);
        sent = true;
      } finally {
        if (!sent) returnCredit(settled);
      }
    } finally {
      sendLock.unlock();
      afterSend(); // a drain deferred for this send is answered, whether it went or not
    }
  }

  /** Waits for credit, and for an unsettled send for a place in flight, and takes them. */
  private void takeCredit(boolean settled, long deadline) {
    synchronized (flow) {
      waiting++;
      try {
        while (credit <= 0 || (!settled && inFlight >= senderOptions.maxInFlight())) {
          checkOpen();
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AmqpTimeoutException(
                credit <= 0
                    ? "link '"
                        + name
                        + "' to "
                        + describeAddress()
                        + ": the peer gave no credit within "
                        + session.requestTimeout()
                        + "; the message was not sent"
                    : "link '"
                        + name
                        + "': "
                        + inFlight
                        + " sends still await their outcome (maxInFlight) after "
                        + session.requestTimeout()
                        + "; the message was not sent");
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(flow, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AmqpException("interrupted while waiting for credit on link '" + name + "'");
          }
        }
      } finally {
        waiting--;
      }
      checkOpen();
      credit--;
      deliveryCount = (deliveryCount + 1) & 0xFFFF_FFFFL;
      if (!settled) inFlight++;
    }
  }

  private void returnCredit(boolean settled) {
    synchronized (flow) {
      credit++;
      deliveryCount = (deliveryCount - 1) & 0xFFFF_FFFFL;
      if (!settled) inFlight--;
      flow.notifyAll();
    }
  }

  /** A drain the peer asked for while sends were waiting is done once none waits. */
  private void afterSend() {
    synchronized (flow) {
      if (drainAsked && waiting == 0 && !sendLock.isLocked()) drain();
    }
  }

  /** A delivery tag unique on the link: a counter in as few bytes as it takes. */
  private byte[] tag() {
    long n = nextTag++;
    int bytes = Math.max(1, 8 - Long.numberOfLeadingZeros(n) / 8);
    byte[] tag = new byte[bytes];
    for (int i = bytes - 1; i >= 0; i--) {
      tag[i] = (byte) n;
      n >>>= 8;
    }
    return tag;
  }

  // ---- from the reader thread ----

  /** The peer's flow for this link: its credit, a drain, an echo. */
  void peerFlow(Flow f) {
    synchronized (flow) {
      long peerCount = f.deliveryCount() == null ? 0 : f.deliveryCount();
      long linkCredit = f.linkCredit() == null ? 0 : f.linkCredit();
      // The receiver's limit, peer's delivery-count + its credit, less what this side has sent.
      credit = Math.max(0, linkCredit + (int) (peerCount - deliveryCount));
      if (f.drain()) {
        drainAsked = true;
        if (waiting == 0 && !sendLock.isLocked()) drain();
      }
      if (credit > 0) flow.notifyAll();
      if (f.echo()) session.sendLinkFlow(handle, deliveryCount, credit, false);
    }
  }

  /** Uses up the credit no send wants: the delivery count advances, and the peer hears of it. */
  private void drain() {
    deliveryCount = (deliveryCount + credit) & 0xFFFF_FFFFL;
    credit = 0;
    drainAsked = false;
    session.sendLinkFlow(handle, deliveryCount, 0, true);
  }

  /** A send settled: one more may be in flight. */
  void settled() {
    synchronized (flow) {
      inFlight--;
      if (waiting > 0) flow.notifyAll();
    }
  }

  @Override
  void onClosed(AmqpException cause) {
    synchronized (flow) {
      flow.notifyAll();
    }
    session.wakeWindowWaiters();
    session.failSends(this, cause);
  }

  // ---- Sender ----

  @Override
  public long credit() {
    synchronized (flow) {
      return credit;
    }
  }

  @Override
  public int unsettled() {
    synchronized (flow) {
      return inFlight;
    }
  }
}
