package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.CloseInitiator;
import dev.amqpkit.amqp10.LinkClosedException;
import dev.amqpkit.amqp10.LinkOptions;
import java.util.concurrent.TimeUnit;

/**
 * What a self-healing sender and receiver share: the link of the moment, attached again under the
 * same name after a failure, and the state that says whether the link is recovering or closed for
 * good.
 *
 * <p>Threads: the application's threads use the link; the closing hooks of the connection, session
 * and link mark it lost on the thread that ends them; the recovery thread attaches it again. The
 * state is guarded by {@code lock}, which is never held while calling into the engine.
 */
abstract class RecoveringLink<L extends LinkImpl> {
  final RecoveringSession session;
  final String name;
  final LinkOptions options;
  final Object lock = new Object();

  // Guarded by lock.
  L link; // the link of the moment; while recovering, the one being attached, or the failed one
  boolean recovering; // the link failed and is not back yet
  long lostAt; // the connection's generation of the last loss
  long restoredAt; // the generation the last recovery restored
  AmqpException closedForGood;

  RecoveringLink(RecoveringSession session, String name, LinkOptions options, L first) {
    this.session = session;
    this.name = name;
    this.options = options;
    this.link = first;
  }

  /** Starts hearing the first link close; once constructed (the hook may run at once). */
  void start() {
    L first;
    synchronized (lock) {
      first = link;
    }
    watch(first);
  }

  /** Attaches a new link under this link's name on {@code session}. */
  abstract L attach(SessionImpl session, L failed);

  /** The link is closed for good: fail what waits for recovery. Once, not under lock. */
  abstract void onClosedForGood(AmqpException cause);

  private void watch(L impl) {
    impl.onClosing(cause -> linkClosed(impl, cause));
  }

  /**
   * The link of the moment closed, and not in a failure recovery brings back (that is heard first,
   * from the connection or session): the peer detached it, so it stays closed.
   */
  private void linkClosed(L impl, AmqpException cause) {
    if (RecoveringConnection.recoverable(cause)) return;
    synchronized (lock) {
      if (impl != link || recovering) return; // checked once the recovery is done
    }
    closeForGood(cause);
  }

  /** The connection or session failed and will be recovered: the link waits for it. */
  void lost(long generation) {
    synchronized (lock) {
      if (closedForGood != null) return;
      recovering = true;
      lostAt = Math.max(lostAt, generation);
    }
  }

  /** Attaches the link again on the session being recovered; throws if it cannot. */
  void recover(SessionImpl session) {
    L failed;
    synchronized (lock) {
      if (closedForGood != null) return;
      failed = link;
    }
    L fresh = attach(session, failed);
    watch(fresh);
    boolean closedMeanwhile;
    synchronized (lock) {
      closedMeanwhile = closedForGood != null;
      if (!closedMeanwhile) link = fresh;
    }
    if (closedMeanwhile) fresh.close();
  }

  /**
   * The recovered connection or session is the one now. A link the peer closed while it was being
   * recovered stays closed; a sender stays recovering until it has sent again what it holds.
   */
  void restored(long generation) {
    L impl;
    synchronized (lock) {
      impl = link;
      if (closedForGood != null) return;
      restoredAt = generation;
      // A loss after the one recovered stays: the link waits for the next recovery.
      if (lostAt <= generation && !holdsSends()) {
        recovering = false;
        lock.notifyAll();
      }
    }
    AmqpException cause = impl.closeCause();
    if (cause != null && !RecoveringConnection.recoverable(cause)) closeForGood(cause);
  }

  /** Whether the link has sends to send again before it is back; under lock. */
  boolean holdsSends() {
    return false;
  }

  /** Sends again what the failure left without an outcome; senders only. */
  void replay() {}

  boolean isClosedForGood() {
    synchronized (lock) {
      return closedForGood != null;
    }
  }

  /** Closes the link for good, without a word to the peer: its session or connection is gone. */
  void closeForGood(AmqpException cause) {
    synchronized (lock) {
      if (closedForGood != null) return;
      closedForGood = cause;
      recovering = false;
      lock.notifyAll();
    }
    onClosedForGood(cause);
  }

  /**
   * The link of the moment, waiting while it recovers, at most until {@code deadline}; null when
   * the deadline passed first.
   */
  L awaitLink(long deadline) {
    synchronized (lock) {
      while (true) {
        if (closedForGood != null) throw closedForGood;
        if (!recovering) {
          AmqpException cause = link.closeCause();
          // Closed by a failure whose hook has not marked this link yet: it will, at once.
          if (cause == null || !RecoveringConnection.recoverable(cause)) return link;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) return null;
        try {
          lock.wait(Math.max(1, Math.min(left / 1_000_000, recovering ? Long.MAX_VALUE : 1)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AmqpException("interrupted while link '" + name + "' recovers", e);
        }
      }
    }
  }

  /**
   * The link to use after {@code failed} failed under a call with a failure recovery brings back:
   * null once the link is recovering (the failure's hook marks it at once), or the recovered link.
   */
  L nextLink(L failed) {
    synchronized (lock) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (closedForGood == null && !recovering && link == failed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) break; // not marked: the link failed alone; its cause tells
        try {
          lock.wait(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AmqpException("interrupted while link '" + name + "' recovers", e);
        }
      }
      if (closedForGood != null) throw closedForGood;
      return recovering ? null : link;
    }
  }

  /** As {@link #awaitLink}, throwing when the link was not back by the deadline. */
  L awaitLinkOrThrow(long deadline, java.time.Duration timeout) {
    L l = awaitLink(deadline);
    if (l == null) {
      throw new AmqpTimeoutException(
          "link '" + name + "' is recovering and was not back within " + timeout);
    }
    return l;
  }

  /** The link of the moment, or null while it recovers; throws once it is closed for good. */
  L linkIfUp() {
    synchronized (lock) {
      if (closedForGood != null) throw closedForGood;
      return recovering ? null : link;
    }
  }

  // ---- what Sender and Receiver share ----

  public String name() {
    return name;
  }

  public String address() {
    if (options.address() != null) return options.address();
    synchronized (lock) {
      return link.address();
    }
  }

  public boolean isOpen() {
    synchronized (lock) {
      return closedForGood == null && (recovering || link.closeCause() == null);
    }
  }

  public AmqpException closeCause() {
    synchronized (lock) {
      if (closedForGood != null) return closedForGood;
      if (recovering) return null;
      AmqpException cause = link.closeCause();
      return cause == null || RecoveringConnection.recoverable(cause) ? null : cause;
    }
  }

  public void close() {
    close(null, true);
  }

  public void close(AmqpError error) {
    close(error, true);
  }

  public void detach() {
    close(null, false);
  }

  private void close(AmqpError error, boolean closed) {
    L impl;
    LinkClosedException cause =
        new LinkClosedException(
            "the application " + (closed ? "closed" : "detached") + " link '" + name + "'",
            error,
            CloseInitiator.APPLICATION,
            null);
    synchronized (lock) {
      if (closedForGood != null) return;
      impl = link;
    }
    closeForGood(cause);
    session.forget(this);
    impl.close(error, closed);
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "recovering-"
          + link
          + (closedForGood != null ? " closed" : recovering ? " recovering" : "");
    }
  }
}
