package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.CloseInitiator;
import dev.amqpkit.amqp10.ConnectionClosedException;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.amqp10.SessionClosedException;
import dev.amqpkit.amqp10.SessionOptions;
import dev.amqpkit.amqp10.internal.protocol.Begin;
import dev.amqpkit.amqp10.internal.protocol.End;
import dev.amqpkit.amqp10.internal.protocol.Flow;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A session: begun by this side, ended by either. The reader thread reports the peer's {@code
 * begin}, {@code flow} and {@code end}; application threads begin and end it.
 *
 * <p>Thread-safe: the state lives in futures and volatile fields, and the connection's session lock
 * guards the channel tables.
 */
final class SessionImpl implements Session {
  private final AmqpConnection connection;
  private final int channel;
  private final SessionOptions options;
  private final CompletableFuture<Begin> begun = new CompletableFuture<>();
  private final CompletableFuture<End> ended = new CompletableFuture<>();
  private volatile boolean ending;
  private volatile SessionClosedException closeCause;
  private volatile Flow remoteFlow;

  SessionImpl(AmqpConnection connection, int channel, SessionOptions options) {
    this.connection = connection;
    this.channel = channel;
    this.options = options;
  }

  /** Sends {@code begin} and waits for the peer's, at most the request timeout. */
  void begin(Duration timeout) {
    connection.send(
        channel,
        new Begin(
            null,
            0,
            options.incomingWindow(),
            options.outgoingWindow(),
            options.handleMax(),
            null,
            null,
            null));
    try {
      begun.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // The channel stays taken until the peer answers (then this side ends it) or the
      // connection closes: a late begin must not land on a new session. The begin may also
      // arrive just now: whichever of the two sees the other ends the session, once.
      boolean begunMeanwhile;
      synchronized (this) {
        ending = true;
        begunMeanwhile = begun.isDone() && !begun.isCompletedExceptionally();
      }
      if (begunMeanwhile) connection.sendQuietly(channel, new End(null));
      markClosed(
          new SessionClosedException(
              "no begin from the peer within " + timeout, null, CloseInitiator.CLIENT, null));
      throw new AmqpTimeoutException(
          "session on channel " + channel + ": no begin from the peer within " + timeout);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AmqpException("interrupted while waiting for the peer's begin", e);
    }
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException r) return r;
    return new AmqpException("session failed: " + cause, cause);
  }

  // ---- from the reader thread ----

  void peerBegan(Begin begin) {
    boolean givenUp;
    synchronized (this) {
      begun.complete(begin);
      givenUp = ending;
    }
    // This side gave up waiting: end what the peer has just begun.
    if (givenUp) connection.sendQuietly(channel, new End(null));
  }

  void peerFlow(Flow flow) {
    remoteFlow = flow;
  }

  /**
   * The peer's {@code end}: records it and returns whether this side must answer with its own. The
   * connection answers and frees the channel, then calls {@link #endComplete}, so a new session on
   * the channel never overtakes the answer.
   */
  synchronized boolean peerEnded(End end) {
    boolean answer = !ending;
    if (answer) {
      AmqpError error = AmqpConnection.publicError(end.error());
      markClosed(
          new SessionClosedException(
              "the peer ended the session on channel "
                  + channel
                  + (error == null ? "" : ": " + error),
              error,
              CloseInitiator.PEER,
              null));
    }
    return answer;
  }

  /** Wakes a {@link #close} waiting for the peer's end; after the channel is free again. */
  void endComplete(End end) {
    ended.complete(end);
  }

  void connectionClosed(ConnectionClosedException cause) {
    markClosed(
        new SessionClosedException(
            "the connection closed: " + cause.getMessage(),
            cause.error(),
            cause.initiator(),
            cause));
    begun.completeExceptionally(cause);
    ended.complete(null);
  }

  private void markClosed(SessionClosedException cause) {
    synchronized (this) {
      if (closeCause == null) closeCause = cause;
    }
  }

  // ---- Session ----

  @Override
  public int channel() {
    return channel;
  }

  @Override
  public boolean isOpen() {
    return closeCause == null && begun.isDone() && !begun.isCompletedExceptionally();
  }

  @Override
  public SessionClosedException closeCause() {
    return closeCause;
  }

  /** The peer's latest session-level {@code flow}, or null; for tests and, later, links. */
  Flow remoteFlow() {
    return remoteFlow;
  }

  @Override
  public void close() {
    close(null);
  }

  @Override
  public void close(AmqpError error) {
    synchronized (this) {
      if (closeCause != null || ending) return;
      ending = true;
      // Queued under the lock the reader takes for the peer's end: that end is then answered by
      // this one, and its channel is not freed before this end is on its way.
      connection.sendQuietly(channel, new End(AmqpConnection.wireError(error)));
    }
    Duration timeout = connection.closeTimeout();
    try {
      ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Ended here all the same; the channel stays taken until the peer's end arrives.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    markClosed(
        new SessionClosedException(
            "the application ended the session on channel " + channel,
            error,
            CloseInitiator.APPLICATION,
            null));
  }

  @Override
  public String toString() {
    return "session(channel " + channel + (isOpen() ? "" : ", closed") + ")";
  }
}
