package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.Delivery;
import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.Outcome;
import dev.amqpkit.amqp10.Receiver;
import dev.amqpkit.amqp10.ReceiverOptions;
import dev.amqpkit.amqp10.ReceiverSettleMode;
import dev.amqpkit.amqp10.SenderSettleMode;
import dev.amqpkit.amqp10.internal.protocol.Attach;
import dev.amqpkit.amqp10.internal.protocol.Flow;
import dev.amqpkit.amqp10.internal.protocol.Role;
import dev.amqpkit.amqp10.internal.protocol.Source;
import dev.amqpkit.amqp10.internal.protocol.Target;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.UnsignedLong;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A receiving link. The reader thread assembles deliveries from transfers and queues them; the
 * application takes them and settles them. With automatic credit, taking a delivery tops the peer's
 * credit back up to the window once half of it is used, so the peer never runs dry while the
 * application keeps up, and never more than the window is prefetched.
 *
 * <p>Credit, the queue and the drain live under {@code lock}, held briefly by both sides.
 */
final class ReceiverImpl extends LinkImpl implements Receiver {
  private final ReceiverOptions receiverOptions;
  private final int window; // 0 for manual credit
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();

  // Guarded by lock.
  private final ArrayDeque<DeliveryImpl> queue = new ArrayDeque<>();
  private long deliveryCount;
  private long credit; // below zero when the peer overran it (see peerTransfer)
  private long maxGranted; // the most credit granted at once
  private CompletableFuture<Void> drained;

  private volatile ReceiverSettleMode settleMode = ReceiverSettleMode.FIRST;
  private final boolean selfHealing;
  private final Batcher batcher;

  // The delivery being assembled from several transfers; the reader's.
  private long partialId;
  private Binary partialTag;
  private long partialFormat;
  private boolean partialSettled;
  private byte[] partialBytes;
  private int partialSize = -1; // -1: no delivery in progress
  private int partialFrames; // the transfer frames of the delivery in progress

  ReceiverImpl(
      SessionImpl session, String name, long handle, ReceiverOptions options, boolean selfHealing) {
    super(session, name, handle, options);
    this.receiverOptions = options;
    this.selfHealing = selfHealing;
    this.window = options.credit();
    this.batcher = options.dispositionBatchSize() > 1 ? new Batcher() : null;
  }

  @Override
  Role role() {
    return Role.RECEIVER;
  }

  @Override
  Attach attach() {
    SenderSettleMode asked = receiverOptions.senderSettleMode();
    return new Attach(
        name,
        handle,
        Role.RECEIVER,
        asked == null
            ? null
            : dev.amqpkit.amqp10.internal.protocol.SenderSettleMode.valueOf(asked.name()),
        dev.amqpkit.amqp10.internal.protocol.ReceiverSettleMode.valueOf(
            receiverOptions.settleMode().name()),
        new LinkOptionsWire(options).source(),
        new Target(null, null, null, 0, false, null, null),
        null,
        false,
        null,
        options.maxMessageSize() == 0 ? null : UnsignedLong.valueOf(options.maxMessageSize()),
        null,
        LinkOptionsWire.nullIfEmpty(options.desiredCapabilities()),
        LinkOptionsWire.nullIfEmpty(options.properties()));
  }

  @Override
  String refusal(Attach peer) {
    ReceiverSettleMode answered = ReceiverSettleMode.valueOf(peer.rcvSettleMode().name());
    if (answered != receiverOptions.settleMode()) {
      return "receiver settle mode "
          + receiverOptions.settleMode()
          + " was asked for, the peer answered "
          + answered;
    }
    SenderSettleMode asked = receiverOptions.senderSettleMode();
    SenderSettleMode theirs = SenderSettleMode.valueOf(peer.sndSettleMode().name());
    if (asked != null && asked != theirs) {
      return "sender settle mode " + asked + " was asked for, the peer answered " + theirs;
    }
    if (peer.initialDeliveryCount() == null) {
      return "the peer's attach has no initial-delivery-count";
    }
    settleMode = answered;
    lock.lock();
    try {
      deliveryCount = peer.initialDeliveryCount();
    } finally {
      lock.unlock();
    }
    return null;
  }

  @Override
  void opened() {
    if (window > 0) {
      lock.lock();
      try {
        credit = window;
        sendFlow(false);
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  String peerAddress() {
    Attach peer = remoteAttach();
    return peer != null && peer.source() instanceof Source s
        ? LinkOptionsWire.address(s.address())
        : null;
  }

  /** Queues this link's flow with its credit; under lock, so flows leave in the order set. */
  private void sendFlow(boolean drain) {
    maxGranted = Math.max(maxGranted, credit);
    session.sendLinkFlow(handle, deliveryCount, Math.max(0, credit), drain);
  }

  // ---- from the reader thread ----

  /**
   * One transfer frame of this link. Each frame is released to the session's incoming window when
   * its delivery is taken by the application, or at once when it is dropped.
   */
  void peerTransfer(Transfer t, ByteBuffer payload) {
    if (closeCause() != null) {
      session.releaseFrames(1); // detached here; the peer's detach is on its way
      return;
    }
    if (partialSize < 0) {
      if (t.deliveryId() == null) {
        session.releaseFrames(1);
        fail(ErrorConditions.INVALID_FIELD, "the first transfer of a delivery has no delivery-id");
        return;
      }
      lock.lock();
      try {
        // RabbitMQ 3.x overruns the credit by the messages its queue had already handed over when
        // a flow reached it, and a receiver that takes messages fast tops up often enough for two
        // such overruns to meet (a window of 8 was seen overrun by 9). Tolerated up to twice the
        // credit granted, which keeps memory bounded.
        if (credit <= -2 * maxGranted) {
          session.releaseFrames(1);
          fail(
              ErrorConditions.LINK_TRANSFER_LIMIT_EXCEEDED,
              "delivery "
                  + t.deliveryId()
                  + " arrived with no credit left, "
                  + (-credit)
                  + " beyond the credit granted");
          return;
        }
        credit--;
        deliveryCount = (deliveryCount + 1) & 0xFFFF_FFFFL;
      } finally {
        lock.unlock();
      }
      partialId = t.deliveryId();
      partialTag = t.deliveryTag();
      partialFormat = t.messageFormat() == null ? 0 : t.messageFormat();
      partialSettled = false;
      partialSize = 0;
      partialBytes = null;
      partialFrames = 0;
    }
    partialFrames++;
    if (Boolean.TRUE.equals(t.settled())) partialSettled = true;
    if (t.aborted()) {
      dropPartial();
      return;
    }
    if (!append(payload)) return;
    if (t.more()) return;
    byte[] bytes =
        partialBytes.length == partialSize
            ? partialBytes
            : Arrays.copyOf(partialBytes, partialSize);
    DeliveryImpl delivery =
        new DeliveryImpl(
            this, partialId, partialTag, partialFormat, bytes, partialSettled, partialFrames);
    partialSize = -1;
    partialBytes = null;
    lock.lock();
    try {
      if (closeCause() != null) {
        session.releaseFrames(delivery.frames);
        return;
      }
      queue.add(delivery);
      arrived.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets the delivery in progress and releases its frames. */
  private void dropPartial() {
    session.releaseFrames(partialFrames);
    partialSize = -1;
    partialBytes = null;
    partialFrames = 0;
  }

  /** Appends a frame's payload; false if the delivery grew too large and the link failed. */
  private boolean append(ByteBuffer payload) {
    int n = payload == null ? 0 : payload.remaining();
    long size = (long) partialSize + n;
    long max = options.maxMessageSize();
    if ((max > 0 && size > max) || size > Integer.MAX_VALUE - 16) {
      long id = partialId;
      dropPartial();
      fail(
          ErrorConditions.LINK_MESSAGE_SIZE_EXCEEDED,
          "delivery "
              + id
              + " is larger than the max-message-size of "
              + (max > 0 ? max : Integer.MAX_VALUE - 16));
      return false;
    }
    if (partialBytes == null) {
      partialBytes = new byte[n];
    } else if (size > partialBytes.length) {
      long grown = Math.max(size, 2L * partialBytes.length);
      partialBytes = Arrays.copyOf(partialBytes, (int) Math.min(Integer.MAX_VALUE - 16, grown));
    }
    if (n > 0) payload.get(payload.position(), partialBytes, partialSize, n);
    partialSize = (int) size;
    return true;
  }

  /** The peer's flow for this link: its delivery count (a drain advances it), or an echo. */
  void peerFlow(Flow f) {
    lock.lock();
    try {
      if (f.deliveryCount() != null) {
        // Deliveries the peer counts that this side has not seen (a drain) use credit up.
        credit = Math.max(0, credit + (int) (deliveryCount - f.deliveryCount()));
        deliveryCount = f.deliveryCount();
      }
      if (drained != null && credit <= 0) {
        drained.complete(null);
        drained = null;
      }
      if (f.echo()) sendFlow(false);
    } finally {
      lock.unlock();
    }
  }

  @Override
  void onClosed(AmqpException cause) {
    int frames = 0;
    lock.lock();
    try {
      for (DeliveryImpl d : queue) frames += d.frames;
      queue.clear();
      arrived.signalAll();
      if (drained != null) drained.completeExceptionally(cause);
    } finally {
      lock.unlock();
    }
    if (frames > 0) session.releaseFrames(frames);
    if (batcher != null) batcher.cancel();
    session.failAwaitingSender(this, cause);
  }

  @Override
  void beforeDetach() {
    if (batcher != null) batcher.flush();
  }

  // ---- settling ----

  /**
   * Whether this link's deliveries went stale: the link belongs to a self-healing receiver and a
   * failure its connection recovers from ended it. The peer delivers them again; settling one is a
   * no-op.
   */
  boolean selfHealing() {
    return selfHealing;
  }

  boolean stale() {
    AmqpException cause = closeCause();
    return selfHealing && cause != null && RecoveringConnection.recoverable(cause);
  }

  void settle(DeliveryImpl d, Outcome outcome) {
    if (d.remotelySettled) {
      d.settledBothSides();
      return;
    }
    Object state = Outcomes.toWire(outcome);
    if (settleMode == ReceiverSettleMode.FIRST) {
      if (batcher != null) batcher.add(d.deliveryId, state);
      else session.sendDisposition(d.deliveryId, d.deliveryId, true, state);
      d.settledBothSides();
    } else {
      session.awaitSenderSettlement(d);
      session.sendDisposition(d.deliveryId, d.deliveryId, false, state);
    }
  }

  /**
   * Settlements of consecutive deliveries with the same outcome, sent as one disposition when the
   * batch is full, an outcome or gap breaks the run, or the oldest has waited the maximum age.
   */
  private final class Batcher {
    private long first;
    private long last;
    private Object state;
    private int size;
    private ScheduledFuture<?> timer;

    synchronized void add(long id, Object newState) {
      if (size > 0 && (id != ((last + 1) & 0xFFFF_FFFFL) || !newState.equals(state))) flush();
      if (size == 0) {
        first = id;
        state = newState;
        long ageMillis = Math.max(1, receiverOptions.dispositionMaxAge().toMillis());
        timer = session.schedule(this::flush, ageMillis);
      }
      last = id;
      if (++size >= receiverOptions.dispositionBatchSize()) flush();
    }

    synchronized void flush() {
      if (size == 0) return;
      size = 0;
      if (timer != null) timer.cancel(false);
      session.sendDispositionQuietly(first, last, true, state);
    }

    synchronized void cancel() {
      size = 0;
      if (timer != null) timer.cancel(false);
    }
  }

  // ---- Receiver ----

  @Override
  public Delivery receive(Duration timeout) {
    long left = timeout.toNanos();
    lock.lock();
    try {
      while (queue.isEmpty()) {
        checkOpen();
        if (left <= 0) return null;
        try {
          left = arrived.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AmqpException("interrupted while receiving on link '" + name + "'", e);
        }
      }
      return take();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Delivery poll() {
    lock.lock();
    try {
      if (queue.isEmpty()) {
        checkOpen();
        return null;
      }
      return take();
    } finally {
      lock.unlock();
    }
  }

  /** Takes the first delivery and, with automatic credit, tops the credit up. Under lock. */
  private DeliveryImpl take() {
    DeliveryImpl d = queue.poll();
    session.releaseFrames(d.frames);
    if (window > 0 && credit + queue.size() <= window / 2 && closeCause() == null) {
      credit = window - queue.size();
      sendFlow(false);
    }
    return d;
  }

  @Override
  public int prefetched() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long credit() {
    lock.lock();
    try {
      return Math.max(0, credit);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void addCredit(int more) {
    if (more < 1) throw new IllegalArgumentException("credit < 1: " + more);
    if (window > 0) {
      throw new IllegalStateException("link '" + name + "' manages its credit itself");
    }
    lock.lock();
    try {
      checkOpen();
      credit = Math.min(0xFFFF_FFFFL, Math.max(0, credit) + more);
      sendFlow(false);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void drain(Duration timeout) {
    if (window > 0) {
      throw new IllegalStateException("link '" + name + "' manages its credit itself");
    }
    CompletableFuture<Void> done;
    lock.lock();
    try {
      checkOpen();
      if (credit <= 0) return;
      if (drained == null) {
        drained = new CompletableFuture<>();
        sendFlow(true);
      }
      done = drained;
    } finally {
      lock.unlock();
    }
    try {
      done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AmqpTimeoutException(
          "link '" + name + "': the peer did not answer the drain within " + timeout);
    } catch (ExecutionException e) {
      throw (AmqpException) e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while draining link '" + name + "'", e);
    }
  }
}
