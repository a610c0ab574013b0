package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.ConnectionRecoveringException;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.Outcome;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.SenderOptions;
import dev.amqpkit.amqp10.SenderSettleMode;
import dev.amqpkit.amqp10.internal.message.MessageCodec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sender that loses nothing across failures. Each unsettled send keeps its encoded message (a
 * {@link RetainedSend}) until its outcome arrives. When the link fails with its connection or
 * session, the sends that awaited an outcome are held, and so are sends made while the link
 * recovers (up to {@link dev.amqpkit.common.Recovery#bufferedPublishes()} across the connection);
 * once the link is attached again they are sent again in the order the application sent them, and
 * only then do new sends go straight to the link. A send fails only with a reason: the link closed
 * for good, the peer refused the message, or no room within the request timeout.
 *
 * <p>Thread-safe, as {@link Sender} is.
 */
final class RecoveringSender extends RecoveringLink<SenderImpl> implements Sender {
  private static final Logger log = LoggerFactory.getLogger(RecoveringSender.class);
  private static final Comparator<RetainedSend> BY_ORDER = Comparator.comparingLong(r -> r.order);

  private final SenderOptions senderOptions;
  private final AtomicLong orders = new AtomicLong();
  private final PriorityQueue<RetainedSend> held = new PriorityQueue<>(BY_ORDER); // lock
  private boolean replaying; // lock: a replay runs, on the recovery thread or a callback thread

  RecoveringSender(
      RecoveringSession session, String name, SenderOptions options, SenderImpl first) {
    super(session, name, options, first);
    this.senderOptions = options;
  }

  @Override
  SenderImpl attach(SessionImpl on, SenderImpl failed) {
    return on.attachSender(name, senderOptions);
  }

  // ---- sending ----

  @Override
  public CompletableFuture<Outcome> send(Message message) {
    return send(message, senderOptions.settleMode() == SenderSettleMode.SETTLED);
  }

  @Override
  public CompletableFuture<Outcome> send(Message message, boolean settled) {
    Objects.requireNonNull(message, "message == null");
    SenderImpl.checkSettleMode(senderOptions.settleMode(), settled);
    SenderImpl l = linkIfUp(); // throws if closed for good, before encoding
    byte[] payload = MessageCodec.forThisThread().encode(message);
    long format = message.messageFormat();
    long order = orders.getAndIncrement();
    RetainedSend retained = settled ? null : new RetainedSend(this, payload, format, false, order);
    long deadline = System.nanoTime() + session.connection.requestTimeout().toNanos();
    while (true) {
      if (l == null) {
        if (retained == null) retained = new RetainedSend(this, payload, format, true, order);
        if (buffer(retained, deadline)) return retained;
        l = linkIfUp(); // back meanwhile
        continue;
      }
      try {
        l.sendEncoded(payload, format, settled ? null : retained, deadline);
        return settled ? CompletableFuture.completedFuture(null) : retained;
      } catch (AmqpException e) {
        // A failure that handed the send over makes it the recovery's, whatever the send met.
        if (!settled) {
          synchronized (lock) {
            if (retained.handedOver) return retained;
          }
        }
        if (!RecoveringConnection.recoverable(e) || System.nanoTime() - deadline > 0) throw e;
        l = nextLink(l); // the link failed under this send: it waits for the recovery
      }
    }
  }

  /**
   * Holds a send made while the link recovers, waiting for room in the connection's buffer at most
   * until {@code deadline}. Returns false when the link is back meanwhile.
   */
  private boolean buffer(RetainedSend r, long deadline) {
    RecoveringConnection connection = session.connection;
    synchronized (lock) {
      while (true) {
        if (closedForGood != null) throw closedForGood;
        if (!recovering) {
          AmqpException cause = link.closeCause();
          if (cause == null || !RecoveringConnection.recoverable(cause)) return false;
          // Failed, and the failure's hook is about to mark this link: wait for it.
        } else if (connection.reserveBuffered()) {
          r.buffered = true;
          hold(r);
          return true;
        } else if (connection.bufferLimit() == 0) {
          throw new ConnectionRecoveringException(
              "link '"
                  + name
                  + "' is recovering, and Recovery.bufferedPublishes() is 0: the message was not"
                  + " sent",
              null);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AmqpTimeoutException(
              "link '"
                  + name
                  + "' is recovering, and "
                  + connection.bufferLimit()
                  + " sends already wait for the connection (Recovery.bufferedPublishes()); no"
                  + " room within "
                  + connection.requestTimeout()
                  + ": the message was not sent");
        }
        try {
          // Room is made by other links sending what they hold: look again shortly.
          lock.wait(Math.max(1, Math.min(10, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AmqpException("interrupted while link '" + name + "' recovers", e);
        }
      }
    }
  }

  /** Under lock. */
  private void hold(RetainedSend r) {
    r.held = true;
    held.add(r);
  }

  /**
   * The link closed before the send's outcome arrived; from the engine, on the thread that closed
   * it. A link that recovers holds the send to send it again; otherwise it fails.
   */
  void handOver(RetainedSend r, AmqpException cause) {
    boolean held = false;
    boolean late = false;
    synchronized (lock) {
      if (closedForGood == null
          && RecoveringConnection.recoverable(cause)
          && (recovering || r.sender != link)) {
        // Recovering; or from a link replaced already (its connection took long to end): the
        // send goes out again on the link of the moment, before any later send.
        late = !recovering;
        recovering = true;
        r.handedOver = true;
        if (!r.held && !r.isDone()) hold(r);
        held = true;
      }
    }
    if (!held) r.completeExceptionally(cause);
    else if (late) AmqpConnection.EVENTS.execute(this::replay);
  }

  @Override
  boolean holdsSends() {
    return !held.isEmpty() || replaying;
  }

  /**
   * Sends again, in order, what the link holds, then lets new sends through. On the recovery
   * thread; if the peer gives no credit or room within the request timeout, it goes on on a
   * callback thread, so that the other links recover meanwhile. Stops when the link fails again:
   * the next recovery sends the rest.
   */
  @Override
  void replay() {
    synchronized (lock) {
      if (replaying) return; // one runs already, and sends on whatever link is the one
      replaying = true;
    }
    replayHeld();
  }

  /** Replays until nothing is held; owns {@code replaying}, and clears it when it stops. */
  private void replayHeld() {
    boolean continuing = false;
    try {
      continuing = sendHeld();
    } finally {
      if (!continuing) {
        synchronized (lock) {
          replaying = false;
        }
      }
    }
  }

  /** Returns true when the rest of the replay was handed to a callback thread. */
  private boolean sendHeld() {
    int sent = 0;
    while (true) {
      RetainedSend r;
      SenderImpl l;
      AmqpException gone = null;
      synchronized (lock) {
        // Not before the link is back: a later recovery's replay takes over.
        if (closedForGood != null || !recovering || restoredAt < lostAt) return false;
        l = link;
        if (held.isEmpty()) {
          AmqpException cause = l.closeCause();
          if (cause == null && lostAt <= restoredAt) {
            recovering = false;
            lock.notifyAll();
            if (sent > 0) log.debug("link '{}': sent {} held sends again", name, sent);
          } else if (cause != null && !RecoveringConnection.recoverable(cause)) {
            gone = cause; // closed by the peer as it came back
          }
          r = null;
        } else {
          r = held.poll();
          r.held = false;
          if (r.buffered) {
            r.buffered = false;
            session.connection.releaseBuffered();
          }
        }
      }
      if (r == null) {
        if (gone != null) closeForGood(gone);
        return false;
      }
      long deadline = System.nanoTime() + session.connection.requestTimeout().toNanos();
      try {
        l.sendEncoded(r.payload, r.messageFormat, r.settled ? null : r, deadline);
        if (r.settled) r.complete(null);
        sent++;
      } catch (AmqpTimeoutException e) {
        log.warn("link '{}': sending again what it holds: {}; still trying", name, e.getMessage());
        putBack(r);
        AmqpConnection.EVENTS.execute(this::replayHeld);
        return true;
      } catch (AmqpException e) {
        if (RecoveringConnection.recoverable(e)) {
          putBack(r);
          return false; // failed again: the next recovery sends the rest
        }
        r.completeExceptionally(e);
        AmqpException cause = l.closeCause();
        if (cause != null) {
          closeForGood(cause);
          return false;
        }
      } catch (RuntimeException e) {
        r.completeExceptionally(e); // larger than the new link takes, or a bug: never lost
      }
    }
  }

  /** A replayed send that did not go out: held again (the link stays recovering meanwhile). */
  private void putBack(RetainedSend r) {
    synchronized (lock) {
      if (closedForGood == null && !r.held && !r.isDone()) {
        recovering = true; // already, unless a bug cleared it: never send past a held send
        hold(r);
        return;
      }
    }
    AmqpException cause = closeCause();
    if (cause != null) r.completeExceptionally(cause);
  }

  @Override
  void onClosedForGood(AmqpException cause) {
    List<RetainedSend> failed;
    synchronized (lock) {
      failed = new ArrayList<>(held);
      held.clear();
      for (RetainedSend r : failed) {
        r.held = false;
        if (r.buffered) {
          r.buffered = false;
          session.connection.releaseBuffered();
        }
      }
    }
    failed.sort(BY_ORDER);
    for (RetainedSend r : failed) r.completeExceptionally(cause);
  }

  // ---- Sender ----

  @Override
  public long credit() {
    SenderImpl l;
    synchronized (lock) {
      l = link;
    }
    return l.closeCause() == null ? l.credit() : 0;
  }

  /** The sends that await an outcome: on the link, and held while it recovers. */
  @Override
  public int unsettled() {
    SenderImpl l;
    int n;
    synchronized (lock) {
      l = link;
      n = held.size();
    }
    return l.closeCause() == null ? n + l.unsettled() : n;
  }
}
