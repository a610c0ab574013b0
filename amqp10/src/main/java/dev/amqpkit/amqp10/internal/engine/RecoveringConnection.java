package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.AuthenticationException;
import dev.amqpkit.amqp10.CloseInitiator;
import dev.amqpkit.amqp10.Connection;
import dev.amqpkit.amqp10.ConnectionClosedException;
import dev.amqpkit.amqp10.ConnectionListener;
import dev.amqpkit.amqp10.ConnectionOptions;
import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.amqp10.SessionClosedException;
import dev.amqpkit.amqp10.SessionOptions;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.common.Recovery;
import dev.amqpkit.common.internal.RecoveryLoop;
import dev.amqpkit.common.internal.SerialExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection that heals itself: the object the application holds, in front of the {@link
 * AmqpConnection} of the moment. When that one fails (an I/O error, the peer's silence past the
 * idle timeout, a close with {@code amqp:connection:forced} or {@code amqp:internal-error}), a
 * recovery thread connects again, with the {@link Recovery}'s backoff between attempts and every
 * endpoint tried in turn, begins each session again and attaches its links again under their names,
 * then sends again, in their order, the sends that awaited an outcome and those made meanwhile. A
 * session the peer ended with {@code amqp:internal-error} (RabbitMQ ends its sessions so when an
 * operator closes the connection) is recovered the same way on the connection of the moment.
 *
 * <p>The peer does not resume links: links attach afresh, with no unsettled map, and a send already
 * delivered before the failure may be delivered twice. At least once, never lost.
 *
 * <p>Nothing is recovered after the application closes the connection, after a close the
 * application's own doing would bring again (an error the peer names other than the two above), or
 * once the attempts are spent; then the connection, its sessions and links close for good.
 *
 * <p>Threads: the connection's closing hook runs on the thread that ends it and only marks what is
 * lost; one recovery thread at a time does the work. Listeners run in order on a callback thread.
 */
public final class RecoveringConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(RecoveringConnection.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final int id = IDS.incrementAndGet();
  private final ConnectionOptions options;
  private final Recovery recovery;
  private final List<RecoveringSession> sessions = new CopyOnWriteArrayList<>();
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final SerialExecutor events = new SerialExecutor(AmqpConnection.EVENTS);
  private final AtomicInteger buffered = new AtomicInteger(); // sends made while recovering
  private final Object lock = new Object();

  // Guarded by lock.
  private AmqpConnection current;
  private ConnectionClosedException failure; // current failed with this; the worker recovers it
  private AmqpConnection failed; // the connection that failed with it
  // Counts losses, of the connection or of a session: a recovery restores what was lost up to the
  // generation it read, and leaves alone what a later loss took.
  private long generation;
  private final Set<RecoveringSession> sessionsToRecover = new LinkedHashSet<>();
  private boolean working; // a recovery thread runs
  private ConnectionClosedException closeCause; // closed for good

  private RecoveringConnection(ConnectionOptions options, AmqpConnection first) {
    this.options = options;
    this.recovery = options.recovery();
    this.current = first;
    first.onClosing(cause -> failed(first, cause));
  }

  /**
   * Connects as {@link AmqpConnection#open} does, and returns that bare connection when recovery is
   * disabled. The first connection is not retried: a wrong address or password is reported at once.
   */
  public static Connection open(ConnectionOptions options) {
    AmqpConnection first = AmqpConnection.open(options);
    return options.recovery().enabled() ? new RecoveringConnection(options, first) : first;
  }

  /**
   * Whether a failure ends a connection or session that recovery brings back: the network failed,
   * the peer fell silent or broke the protocol, or the peer closed the connection with {@code
   * amqp:connection:forced} or {@code amqp:internal-error}, or ended the session with {@code
   * amqp:internal-error}. Any other error the peer names would come back with the next attempt.
   */
  public static boolean recoverable(Throwable failure) {
    if (failure instanceof ConnectionClosedException c) {
      return switch (c.initiator()) {
        case NETWORK, CLIENT -> true;
        case PEER ->
            is(c.error(), ErrorConditions.CONNECTION_FORCED, ErrorConditions.INTERNAL_ERROR);
        case APPLICATION -> false;
      };
    }
    if (failure instanceof SessionClosedException s) {
      if (s.getCause() instanceof ConnectionClosedException c) return recoverable(c);
      return s.initiator() == CloseInitiator.PEER
          && is(s.error(), ErrorConditions.INTERNAL_ERROR, ErrorConditions.INTERNAL_ERROR);
    }
    return false;
  }

  private static boolean is(AmqpError error, Symbol a, Symbol b) {
    return error != null && (a.equals(error.condition()) || b.equals(error.condition()));
  }

  Duration requestTimeout() {
    return options.requestTimeout();
  }

  /** Takes a place among the sends that wait while recovering; false when there is none. */
  boolean reserveBuffered() {
    int limit = recovery.bufferedPublishes();
    while (true) {
      int n = buffered.get();
      if (n >= limit) return false;
      if (buffered.compareAndSet(n, n + 1)) return true;
    }
  }

  void releaseBuffered() {
    buffered.decrementAndGet();
  }

  int bufferLimit() {
    return recovery.bufferedPublishes();
  }

  void forget(RecoveringSession session) {
    sessions.remove(session);
  }

  void dispatch(Consumer<ConnectionListener> event) {
    events.execute(
        () -> {
          for (ConnectionListener l : listeners) {
            try {
              event.accept(l);
            } catch (RuntimeException e) {
              log.error("a connection listener threw", e);
            }
          }
        });
  }

  // ---- failures ----

  /** The connection of the moment ended; on the thread that ended it. */
  private void failed(AmqpConnection connection, ConnectionClosedException cause) {
    boolean recover = recoverable(cause);
    boolean start = false;
    synchronized (lock) {
      if (connection != current || closeCause != null || failure != null) return;
      if (recover) {
        failure = cause;
        failed = connection;
        start = !working;
        working = true;
        long lost = ++generation;
        // Before the sessions end: their sends are then held for recovery, not failed.
        for (RecoveringSession session : sessions) session.connectionLost(lost);
      }
    }
    if (!recover) {
      closeForGood(cause, null);
      return;
    }
    log.info("connection {} failed ({}); recovering", id, cause.getMessage());
    dispatch(l -> l.disconnected(cause));
    if (start) startWorker();
  }

  /**
   * A session ended with an error that recovery brings back, on a connection that did not fail:
   * marks it lost and has it recovered. Returns false when the connection is closed for good.
   */
  boolean sessionFailed(RecoveringSession session, SessionImpl ended) {
    boolean start;
    synchronized (lock) {
      if (closeCause != null) return false;
      if (failure != null) return true; // recovering the whole connection recovers the session
      if (!session.sessionLost(ended, ++generation)) return true; // not the session of the moment
      sessionsToRecover.add(session);
      start = !working;
      working = true;
    }
    if (start) startWorker();
    return true;
  }

  private void startWorker() {
    Thread thread = new Thread(this::work, "amqpkit-amqp10-recovery-" + id);
    thread.setDaemon(true);
    thread.start();
  }

  /** The recovery thread: recovers the connection, or failed sessions, until nothing is left. */
  private void work() {
    boolean done = false;
    try {
      while (true) {
        ConnectionClosedException connectionFailure;
        AmqpConnection failedConnection;
        List<RecoveringSession> failedSessions;
        synchronized (lock) {
          if (closeCause != null || (failure == null && sessionsToRecover.isEmpty())) {
            working = false;
            done = true;
            return;
          }
          connectionFailure = failure;
          failedConnection = failed;
          failedSessions = new ArrayList<>(sessionsToRecover);
          sessionsToRecover.clear();
        }
        if (connectionFailure != null) {
          recoverConnection(connectionFailure, failedConnection);
        } else {
          for (RecoveringSession session : failedSessions) recoverSession(session);
        }
      }
    } finally {
      if (!done) {
        // An Error: the next failure starts another recovery thread.
        synchronized (lock) {
          working = false;
        }
      }
    }
  }

  private void recoverConnection(ConnectionClosedException cause, AmqpConnection failedConnection) {
    // Its sends are handed over as its sessions end: none may arrive after the new one is in place.
    failedConnection.awaitTerminated(options.closeTimeout());
    RecoveryLoop.run(
        recovery,
        cause,
        new ConnectionSteps() {
          @Override
          public void reconnecting(int attempt, Duration delay) {
            dispatch(l -> l.reconnecting(attempt, delay));
          }

          @Override
          public boolean attempt(int attempt) {
            RecoveringConnection.this.attempt(attempt);
            return true;
          }

          @Override
          public void gaveUp(int attempts, Exception last) {
            giveUp(attempts, last);
          }
        });
  }

  private void recoverSession(RecoveringSession session) {
    RecoveryLoop.run(
        recovery,
        null,
        new ConnectionSteps() {
          @Override
          public boolean attempt(int attempt) {
            AmqpConnection connection;
            long restoring;
            synchronized (lock) {
              if (closeCause != null || failure != null) return true; // the connection's to do
              connection = current;
              restoring = generation;
            }
            if (!session.isOpen()) return true; // closed meanwhile
            try {
              session.recover(connection);
            } catch (RuntimeException e) {
              session.attemptFailed();
              if (!connection.isOpen()) return true; // the connection's failure takes over
              throw e;
            }
            restore(session, restoring);
            replay(session);
            log.info("connection {}: session {} recovered", id, session);
            dispatch(l -> l.sessionRecovered(session));
            return true;
          }

          @Override
          public void gaveUp(int attempts, Exception last) {
            SessionClosedException cause =
                new SessionClosedException(
                    "gave up recovering the session after "
                        + attempts
                        + " attempt(s): "
                        + (last == null ? "" : last.getMessage()),
                    null,
                    CloseInitiator.CLIENT,
                    last);
            log.warn("connection {}: {}", id, cause.getMessage());
            session.closeForGood(cause);
            forget(session);
          }
        });
  }

  /**
   * The steps both kinds of recovery share: the wait ends early when the application closes the
   * connection, and a refused login, or a close the next attempt would meet again, ends the
   * recovery at once.
   */
  private abstract class ConnectionSteps implements RecoveryLoop.Steps {
    @Override
    public boolean sleep(Duration delay) {
      return RecoveryLoop.sleep(lock, () -> closeCause != null, delay);
    }

    @Override
    public boolean fatal(RuntimeException failure) {
      if (failure instanceof AuthenticationException) {
        return !recovery.retryAuthenticationFailures();
      }
      return failure instanceof ConnectionClosedException c && !recoverable(c);
    }
  }

  /**
   * Makes a recovered session the one; past the switch nothing counts as a failed attempt: what
   * fails is logged, and a link that failed again is recovered again.
   */
  private void restore(RecoveringSession session, long restoring) {
    try {
      session.restored(restoring);
    } catch (RuntimeException e) {
      log.error("connection {}: restoring session {}", id, session, e);
    }
  }

  private void replay(RecoveringSession session) {
    try {
      session.replay();
    } catch (RuntimeException e) {
      log.error("connection {}: sending again what session {} held", id, session, e);
    }
  }

  /**
   * One attempt at the connection: connect, begin the sessions and attach their links, make the new
   * connection the one, then send again what awaited an outcome. Throws if the attempt failed.
   */
  private void attempt(int attempt) {
    AmqpConnection connection = AmqpConnection.open(options);
    try {
      for (RecoveringSession session : sessions) session.recover(connection);
    } catch (RuntimeException e) {
      connection.close();
      for (RecoveringSession session : sessions) session.attemptFailed();
      throw e;
    }
    boolean closedMeanwhile;
    long restoring = 0;
    synchronized (lock) {
      closedMeanwhile = closeCause != null;
      if (!closedMeanwhile) {
        current = connection;
        failure = null;
        failed = null;
        restoring = generation;
        lock.notifyAll();
      }
    }
    if (closedMeanwhile) {
      connection.close();
      return;
    }
    // Heard at once if the new connection failed already: the worker then goes round again, and
    // what that loss marked stays marked.
    connection.onClosing(cause -> failed(connection, cause));
    // Every session is back before any sends what it held: receivers receive meanwhile.
    for (RecoveringSession session : sessions) restore(session, restoring);
    for (RecoveringSession session : sessions) replay(session);
    log.info("connection {} recovered after {} attempt(s)", id, attempt);
    dispatch(ConnectionListener::recovered);
  }

  private void giveUp(int attempts, Exception last) {
    ConnectionClosedException cause =
        new ConnectionClosedException(
            "gave up recovering the connection after "
                + attempts
                + " attempt(s): "
                + (last == null ? "" : last.getMessage()),
            null,
            CloseInitiator.NETWORK,
            last);
    log.warn("connection {}: {}", id, cause.getMessage());
    closeForGood(cause, last);
  }

  /** Closes the connection, its sessions and links for good; with {@code gaveUp}, after trying. */
  private void closeForGood(ConnectionClosedException cause, Exception gaveUp) {
    AmqpConnection connection;
    synchronized (lock) {
      if (closeCause != null) return;
      closeCause = cause;
      connection = current;
      lock.notifyAll();
    }
    closeSessions(cause);
    connection.close();
    dispatchClosed(cause, gaveUp);
  }

  /** Tells each listener, once, that the connection closed; that recovery gave up first. */
  private void dispatchClosed(ConnectionClosedException cause, Exception gaveUp) {
    events.execute(
        () -> {
          // addListener may race this: whoever removes a listener tells it, so it hears once.
          for (ConnectionListener l : listeners) {
            if (!listeners.remove(l)) continue;
            try {
              if (gaveUp != null) l.gaveUp(gaveUp);
              l.closed(cause);
            } catch (RuntimeException e) {
              log.error("a connection listener threw", e);
            }
          }
        });
  }

  private void closeSessions(ConnectionClosedException cause) {
    for (RecoveringSession session : sessions) {
      session.closeForGood(
          new SessionClosedException(
              "the connection closed: " + cause.getMessage(),
              cause.error(),
              cause.initiator(),
              cause));
    }
  }

  // ---- the Connection surface ----

  /** The connection of the moment, waiting while it recovers, at most until {@code deadline}. */
  AmqpConnection awaitCurrent(long deadline) {
    synchronized (lock) {
      while (true) {
        if (closeCause != null) throw closeCause;
        if (failure == null && current.isOpen()) return current;
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AmqpTimeoutException(
              "the connection is recovering and was not back within " + options.requestTimeout());
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AmqpException("interrupted while waiting for the connection to recover", e);
        }
      }
    }
  }

  /** The connection closed for good, or null. */
  ConnectionClosedException closedForGood() {
    synchronized (lock) {
      return closeCause;
    }
  }

  @Override
  public Session openSession(SessionOptions sessionOptions) {
    Objects.requireNonNull(sessionOptions, "options == null");
    long deadline = System.nanoTime() + options.requestTimeout().toNanos();
    while (true) {
      AmqpConnection connection = awaitCurrent(deadline);
      RecoveringSession session;
      try {
        session =
            new RecoveringSession(this, connection.beginSession(sessionOptions), sessionOptions);
      } catch (AmqpException e) {
        if (recoverable(e)) continue; // failed meanwhile: begin on the next connection
        throw e;
      }
      synchronized (lock) {
        // Listed under the lock that a failure takes first: recovery will see it.
        if (closeCause == null && failure == null && connection == current) {
          sessions.add(session);
          return session;
        }
      }
      session.abandon();
    }
  }

  @Override
  public String containerId() {
    return options.containerId();
  }

  private AmqpConnection current() {
    synchronized (lock) {
      return current;
    }
  }

  @Override
  public String remoteContainerId() {
    return current().remoteContainerId();
  }

  @Override
  public Map<Symbol, Object> remoteProperties() {
    return current().remoteProperties();
  }

  @Override
  public List<Symbol> remoteOfferedCapabilities() {
    return current().remoteOfferedCapabilities();
  }

  @Override
  public int maxFrameSize() {
    return current().maxFrameSize();
  }

  @Override
  public Duration remoteIdleTimeout() {
    return current().remoteIdleTimeout();
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return closeCause == null;
    }
  }

  @Override
  public ConnectionClosedException closeCause() {
    return closedForGood();
  }

  /** Adds a listener; added after the close, it hears {@link ConnectionListener#closed} at once. */
  @Override
  public void addListener(ConnectionListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    listeners.add(listener);
    ConnectionClosedException cause = closedForGood();
    if (cause != null && listeners.remove(listener)) {
      events.execute(() -> listener.closed(cause));
    }
  }

  @Override
  public void close() {
    close(null);
  }

  @Override
  public void close(AmqpError error) {
    ConnectionClosedException cause;
    AmqpConnection connection;
    synchronized (lock) {
      if (closeCause != null) return;
      connection = current;
      cause =
          new ConnectionClosedException(
              "the application closed the connection", error, CloseInitiator.APPLICATION, null);
      closeCause = cause;
      lock.notifyAll();
    }
    closeSessions(cause);
    connection.close(error);
    dispatchClosed(cause, null);
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "recovering-"
          + current
          + (closeCause != null ? " closed" : failure != null ? " recovering" : "");
    }
  }
}
