package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.CloseInitiator;
import dev.amqpkit.amqp10.LinkClosedException;
import dev.amqpkit.amqp10.LinkOptions;
import dev.amqpkit.amqp10.Receiver;
import dev.amqpkit.amqp10.ReceiverOptions;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.SenderOptions;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.amqp10.SessionClosedException;
import dev.amqpkit.amqp10.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/**
 * A session that comes back after a failure: begun again with its options on the recovered
 * connection (or, when the peer ended it with {@code amqp:internal-error}, on the same one), with
 * its links attached again. A link the peer refuses then is closed for good and the others go on;
 * RabbitMQ ends the whole session over one refused link, so the session is begun once more for the
 * links that remain.
 *
 * <p>Thread-safe, as {@link Session} is.
 */
final class RecoveringSession implements Session {
  final RecoveringConnection connection;
  private final SessionOptions options;
  private final List<RecoveringLink<?>> links = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();

  // Guarded by lock.
  private SessionImpl session; // of the moment; while recovering, the one being begun
  private boolean recovering;
  private long lostAt; // the connection's generation of the last loss
  private SessionClosedException closedForGood;

  RecoveringSession(RecoveringConnection connection, SessionImpl first, SessionOptions options) {
    this.connection = connection;
    this.options = options;
    this.session = first;
    watch(first);
  }

  private void watch(SessionImpl impl) {
    impl.onClosing(cause -> ended(impl, cause));
  }

  /**
   * The session of the moment ended, on the thread that ended it. A connection failure was heard
   * first (the session is recovering by then); an {@code amqp:internal-error} from the peer is
   * recovered on the same connection; any other end is for good.
   */
  private void ended(SessionImpl impl, SessionClosedException cause) {
    synchronized (lock) {
      if (impl != session || recovering || closedForGood != null) return;
    }
    if (!RecoveringConnection.recoverable(cause)) {
      closeForGood(cause);
      connection.forget(this);
    } else if (!connection.sessionFailed(this, impl)) {
      closeForGood(cause); // the connection is closing for good
    }
  }

  /**
   * The connection failed and will be recovered; before its sessions end. Under the connection's
   * lock.
   */
  void connectionLost(long generation) {
    synchronized (lock) {
      if (closedForGood == null) markLost(generation);
    }
  }

  /**
   * The session {@code ended} ended and will be recovered; returns false if it is not the session
   * of the moment. Under the connection's lock.
   */
  boolean sessionLost(SessionImpl ended, long generation) {
    synchronized (lock) {
      if (ended != session || recovering || closedForGood != null) return false;
      markLost(generation);
      return true;
    }
  }

  /** Under lock. */
  private void markLost(long generation) {
    recovering = true;
    lostAt = Math.max(lostAt, generation);
    for (RecoveringLink<?> link : links) link.lost(generation);
  }

  void forget(RecoveringLink<?> link) {
    links.remove(link);
  }

  // ---- recovery, on the recovery thread ----

  /**
   * Begins the session again on {@code on} and attaches its links again. A link the peer refuses is
   * closed for good; any other failure fails the attempt.
   */
  void recover(AmqpConnection on) {
    synchronized (lock) {
      if (closedForGood != null) return;
    }
    try {
      attachAll(on);
    } catch (SessionClosedException e) {
      synchronized (lock) {
        if (closedForGood == e) return; // closed by the application meanwhile
      }
      throw e;
    }
  }

  private void attachAll(AmqpConnection on) {
    List<RecoveringLink<?>> remaining = new ArrayList<>();
    for (RecoveringLink<?> link : links) {
      if (link.isClosedForGood()) links.remove(link);
      else remaining.add(link);
    }
    SessionImpl impl = begin(on);
    for (int i = 0; i < remaining.size(); i++) {
      RecoveringLink<?> link = remaining.get(i);
      try {
        link.recover(impl);
      } catch (AmqpException e) {
        if (!refused(e, on)) throw e;
        remaining.remove(i);
        links.remove(link);
        link.closeForGood(e);
        connection.dispatch(l -> l.linkLost(link.name, e));
        if (!impl.isOpen()) {
          // RabbitMQ ends the session over a refused link: begin again for the links that remain.
          impl = begin(on);
          i = -1;
        } else {
          i--;
        }
      }
    }
  }

  /** Whether the peer refused a link, as opposed to the connection or session failing. */
  private static boolean refused(AmqpException e, AmqpConnection on) {
    if (!on.isOpen() || e instanceof AmqpTimeoutException) return false;
    if (e instanceof LinkClosedException) return true;
    return e instanceof SessionClosedException s
        && s.initiator() == CloseInitiator.PEER
        && !RecoveringConnection.recoverable(s);
  }

  private SessionImpl begin(AmqpConnection on) {
    SessionImpl impl = on.beginSession(options);
    SessionClosedException closed;
    synchronized (lock) {
      closed = closedForGood;
      if (closed == null) session = impl;
    }
    if (closed != null) {
      impl.close(); // the application closed the session meanwhile
      throw closed;
    }
    watch(impl);
    return impl;
  }

  /** An attempt failed: a session it began on a connection that stays open is ended. */
  void attemptFailed() {
    SessionImpl impl;
    synchronized (lock) {
      impl = session;
    }
    if (impl.isOpen()) impl.close();
  }

  /**
   * The recovered session is the one now: new links may attach, receivers receive. What a loss
   * after {@code generation} took stays recovering.
   */
  void restored(long generation) {
    SessionImpl impl;
    synchronized (lock) {
      if (closedForGood != null) return;
      impl = session;
      if (lostAt <= generation) {
        recovering = false;
        lock.notifyAll();
      }
    }
    for (RecoveringLink<?> link : links) {
      try {
        link.restored(generation);
      } catch (RuntimeException e) {
        link.closeForGood(asAmqp(e));
      }
    }
    // Ended before it became the one, unheard: heard now.
    SessionClosedException cause = impl.closeCause();
    if (cause != null) ended(impl, cause);
  }

  /** Sends again what the senders hold. */
  void replay() {
    for (RecoveringLink<?> link : links) link.replay();
  }

  private static AmqpException asAmqp(RuntimeException e) {
    return e instanceof AmqpException a ? a : new AmqpException("recovering the link failed", e);
  }

  /** The session is closed for good, and its links with it, without a word to the peer. */
  void closeForGood(SessionClosedException cause) {
    synchronized (lock) {
      if (closedForGood != null) return;
      closedForGood = cause;
      recovering = false;
      lock.notifyAll();
    }
    for (RecoveringLink<?> link : links) link.closeForGood(cause);
  }

  /** A session begun on a connection that failed before it was listed: ended, if it can be. */
  void abandon() {
    SessionImpl impl;
    synchronized (lock) {
      impl = session;
    }
    closeForGood(
        new SessionClosedException(
            "the connection failed as the session began", null, CloseInitiator.NETWORK, null));
    if (impl.isOpen()) impl.close();
  }

  // ---- links ----

  /** The session of the moment, waiting while it recovers, at most until {@code deadline}. */
  private SessionImpl awaitSession(long deadline) {
    synchronized (lock) {
      while (true) {
        if (closedForGood != null) throw closedForGood;
        if (!recovering) {
          SessionClosedException cause = session.closeCause();
          if (cause == null) return session;
          if (!RecoveringConnection.recoverable(cause)) throw cause;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AmqpTimeoutException(
              "the session is recovering and was not back within " + connection.requestTimeout());
        }
        try {
          // Ended by a failure whose hook has not marked this session yet: look again shortly.
          lock.wait(Math.max(1, Math.min(left / 1_000_000, recovering ? Long.MAX_VALUE : 1)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AmqpException("interrupted while the session recovers", e);
        }
      }
    }
  }

  private <L extends LinkImpl, R extends RecoveringLink<L>> R attach(
      LinkOptions linkOptions,
      String kind,
      BiFunction<SessionImpl, String, L> attach,
      LinkFactory<L, R> wrap) {
    String name = SessionImpl.nameOf(linkOptions, kind);
    long deadline = System.nanoTime() + connection.requestTimeout().toNanos();
    while (true) {
      SessionImpl impl = awaitSession(deadline);
      L link;
      try {
        link = attach.apply(impl, name);
      } catch (AmqpException e) {
        if (RecoveringConnection.recoverable(e)) continue; // attach on the recovered session
        throw e;
      }
      R recovering = wrap.wrap(this, name, link);
      recovering.start();
      synchronized (lock) {
        // Listed under the lock a failure takes first: recovery will see it.
        if (closedForGood == null && !this.recovering && impl == session) {
          links.add(recovering);
          return recovering;
        }
      }
      link.close(null, true); // the session failed meanwhile: attach on the recovered one
    }
  }

  private interface LinkFactory<L extends LinkImpl, R extends RecoveringLink<L>> {
    R wrap(RecoveringSession session, String name, L link);
  }

  @Override
  public Sender openSender(SenderOptions senderOptions) {
    Objects.requireNonNull(senderOptions, "options == null");
    return this.<SenderImpl, RecoveringSender>attach(
        senderOptions,
        "sender",
        (impl, name) -> impl.attachSender(name, senderOptions),
        (session, name, link) -> new RecoveringSender(session, name, senderOptions, link));
  }

  @Override
  public Receiver openReceiver(ReceiverOptions receiverOptions) {
    Objects.requireNonNull(receiverOptions, "options == null");
    return this.<ReceiverImpl, RecoveringReceiver>attach(
        receiverOptions,
        "receiver",
        (impl, name) -> impl.attachReceiver(name, receiverOptions, true),
        (session, name, link) -> new RecoveringReceiver(session, name, receiverOptions, link));
  }

  // ---- Session ----

  @Override
  public int channel() {
    synchronized (lock) {
      return session.channel();
    }
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return closedForGood == null;
    }
  }

  @Override
  public SessionClosedException closeCause() {
    synchronized (lock) {
      return closedForGood;
    }
  }

  @Override
  public void close() {
    close(null);
  }

  @Override
  public void close(AmqpError error) {
    SessionImpl impl;
    SessionClosedException cause =
        new SessionClosedException(
            "the application ended the session", error, CloseInitiator.APPLICATION, null);
    synchronized (lock) {
      if (closedForGood != null) return;
      impl = session;
    }
    closeForGood(cause);
    connection.forget(this);
    impl.close(error);
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "recovering-"
          + session
          + (closedForGood != null ? " closed" : recovering ? " recovering" : "");
    }
  }
}
