package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.AmqpException;
import dev.amqpkit.amqp091.AmqpTimeoutException;
import dev.amqpkit.amqp091.AuthenticationException;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.ChannelClosedException;
import dev.amqpkit.amqp091.CloseInitiator;
import dev.amqpkit.amqp091.CloseReason;
import dev.amqpkit.amqp091.Connection;
import dev.amqpkit.amqp091.ConnectionClosedException;
import dev.amqpkit.amqp091.ConnectionListener;
import dev.amqpkit.amqp091.ConnectionOptions;
import dev.amqpkit.amqp091.Endpoint;
import dev.amqpkit.common.Recovery;
import dev.amqpkit.common.internal.RecoveryLoop;
import dev.amqpkit.common.internal.SerialExecutor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection that heals itself: the object the application holds, in front of the {@link
 * AmqpConnection} of the moment. When that one fails (an I/O error, missed heartbeats, a failed
 * write, a close by the broker), a recovery thread connects again, with the {@link Recovery}'s
 * backoff between attempts and each endpoint tried in turn, declares the recorded topology again,
 * restores every channel ({@link RecoveringChannel}), and sends again what was not confirmed.
 * Nothing is recovered after the application closes the connection, or once the attempts are spent;
 * then the connection and its channels are closed for good.
 *
 * <p>Thread-safe. Listeners run on an executor of their own, in order, never on an I/O thread.
 */
public final class RecoveringConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(RecoveringConnection.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final int id = IDS.incrementAndGet();
  private final Recovery recovery;
  private final TopologyRecord topology = new TopologyRecord();
  private final List<RecoveringChannel> channels = new CopyOnWriteArrayList<>();
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final SerialExecutor events;
  private final Object lock = new Object();

  // Guarded by lock.
  private ConnectionOptions options; // a new secret replaces the password here
  private AmqpConnection current;
  private boolean recovering;
  private ConnectionClosedException closeCause;
  private boolean blocked; // listeners last heard blocked

  private RecoveringConnection(ConnectionOptions options, AmqpConnection first) {
    this.options = options;
    this.recovery = options.recovery();
    this.events = new SerialExecutor(options.consumerExecutor());
    this.current = first;
    watch(first);
  }

  /**
   * Connects as {@link AmqpConnection#open} does; the first connection is not retried: a wrong
   * address or password is reported at once.
   */
  public static Connection open(ConnectionOptions options) {
    if (options.consumerExecutor() == null) {
      // One callback executor for every connection to come: a channel's callbacks run in order
      // across recoveries. Idle threads end after a few seconds: nothing to shut down.
      options =
          options
              .newBuilder()
              .consumerExecutor(
                  new ThreadPoolExecutor(
                      0,
                      Integer.MAX_VALUE,
                      5,
                      TimeUnit.SECONDS,
                      new SynchronousQueue<>(),
                      AmqpConnection.daemonThreads("amqpkit-callbacks-recovering")))
              .build();
    }
    return new RecoveringConnection(options, (AmqpConnection) AmqpConnection.open(options));
  }

  private void watch(AmqpConnection connection) {
    connection.addListener(
        new ConnectionListener() {
          @Override
          public void closed(ConnectionClosedException cause) {
            failed(connection, cause);
          }

          @Override
          public void blocked(String reason) {
            synchronized (lock) {
              blocked = true;
            }
            dispatchEvent(() -> listeners.forEach(l -> l.blocked(reason)));
          }

          @Override
          public void unblocked() {
            synchronized (lock) {
              blocked = false;
            }
            dispatchEvent(() -> listeners.forEach(ConnectionListener::unblocked));
          }
        });
  }

  ConnectionOptions options() {
    synchronized (lock) {
      return options;
    }
  }

  TopologyRecord topology() {
    return topology;
  }

  private void dispatchEvent(Runnable event) {
    events.execute(event);
  }

  void forget(RecoveringChannel channel) {
    channels.remove(channel);
  }

  // ---- recovery ----

  /** The connection of the moment failed (or was closed by us, which is ignored). */
  private void failed(AmqpConnection connection, ConnectionClosedException cause) {
    synchronized (lock) {
      if (connection != current || closeCause != null || recovering) return;
      if (cause.initiator() == CloseInitiator.APPLICATION) return;
      if (recoverable(cause)) recovering = true; // no channel joins the list until recovered
    }
    if (!recovering()) {
      closeForGood(cause, null);
      return;
    }
    log.info("connection {} failed ({}); recovering", id, cause.getMessage());
    for (RecoveringChannel channel : channels) channel.connectionLost();
    dispatchEvent(() -> listeners.forEach(l -> l.disconnected(cause)));
    Thread thread = new Thread(() -> recover(cause), "amqpkit-recovery-" + id);
    thread.setDaemon(true);
    thread.start();
  }

  private boolean recovering() {
    synchronized (lock) {
      return recovering;
    }
  }

  /**
   * Whether the network or the broker's state ended the connection, not the application's own
   * doing: the socket failed, heartbeats stopped, the peer broke the protocol, or the broker closed
   * it with 320 CONNECTION_FORCED (an operator, a restart) or 541 INTERNAL_ERROR. A
   * connection-level error the application caused (503 COMMAND_INVALID, 540 NOT_IMPLEMENTED, 530
   * NOT_ALLOWED...) would come back with the next attempt: it closes the connection for good.
   */
  static boolean recoverable(ConnectionClosedException cause) {
    return switch (cause.initiator()) {
      case NETWORK, CLIENT -> true;
      case BROKER -> cause.replyCode() == 320 || cause.replyCode() == 541;
      case APPLICATION -> false;
    };
  }

  private void recover(ConnectionClosedException failure) {
    RecoveryLoop.run(
        recovery,
        failure,
        new RecoveryLoop.Steps() {
          @Override
          public void reconnecting(int attempt, Duration delay) {
            dispatchEvent(() -> listeners.forEach(l -> l.reconnecting(attempt, delay)));
          }

          @Override
          public boolean sleep(Duration delay) {
            return RecoveryLoop.sleep(lock, () -> closeCause != null, delay); // under lock
          }

          @Override
          public boolean attempt(int attempt) {
            return RecoveringConnection.this.attempt(attempt);
          }

          @Override
          public boolean fatal(RuntimeException e) {
            return e instanceof AuthenticationException && !recovery.retryAuthenticationFailures();
          }

          @Override
          public void gaveUp(int attempts, Exception last) {
            giveUp(attempts, last);
          }
        });
  }

  /**
   * One attempt: connect, declare the topology, restore the channels, then send again what was not
   * confirmed. Returns true when done, for good or because the application closed the connection;
   * throws if the attempt failed.
   */
  private boolean attempt(int attempt) {
    AmqpConnection connection = (AmqpConnection) AmqpConnection.open(options());
    try {
      topology.recover(connection, this::queueRenamed);
      for (RecoveringChannel channel : channels) channel.recover(connection);
    } catch (RuntimeException e) {
      // Closed first: the channels then read their last delivery tags after the last delivery.
      connection.close();
      for (RecoveringChannel channel : channels) channel.attemptFailed();
      throw e;
    }
    watch(connection);
    boolean closedMeanwhile;
    boolean wasBlocked;
    synchronized (lock) {
      closedMeanwhile = closeCause != null;
      wasBlocked = blocked;
      if (!closedMeanwhile) {
        current = connection;
        recovering = false;
        blocked = false;
        lock.notifyAll();
      }
    }
    if (closedMeanwhile) {
      connection.close();
      return true;
    }
    // From here the new connection is the one: nothing may count as a failed attempt.
    try {
      for (RecoveringChannel channel : channels) channel.restored();
      for (RecoveringChannel channel : channels) channel.replay();
      log.info(
          "connection {} recovered after {} attempt(s), to {}", id, attempt, connection.endpoint());
      dispatchEvent(
          () -> {
            // Blocked on the failed connection; the new one says so again if it still is.
            if (wasBlocked) listeners.forEach(ConnectionListener::unblocked);
            listeners.forEach(ConnectionListener::recovered);
          });
    } catch (RuntimeException e) {
      log.error("connection {}: after recovering", id, e);
    }
    // Failed while being restored, before it was watched: recover again.
    if (!connection.isOpen()) failed(connection, connection.closeCause());
    return true;
  }

  private void queueRenamed(String from, String to) {
    for (RecoveringChannel channel : channels) channel.queueRenamed(from, to);
    dispatchEvent(() -> listeners.forEach(l -> l.queueRenamed(from, to)));
  }

  private void giveUp(int attempts, Exception last) {
    ConnectionClosedException cause =
        new ConnectionClosedException(
            "gave up recovering the connection after "
                + attempts
                + " attempt(s): "
                + (last == null ? "" : last.getMessage()),
            new CloseReason(320, "gave up recovering after " + attempts + " attempt(s)", 0, 0),
            CloseInitiator.NETWORK,
            last);
    log.warn("connection {}: {}", id, cause.getMessage());
    closeForGood(cause, last);
  }

  /** Closes the connection and its channels for good; with {@code gaveUp}, after recovering. */
  private void closeForGood(ConnectionClosedException cause, Exception gaveUp) {
    synchronized (lock) {
      if (closeCause != null) return;
      closeCause = cause;
      lock.notifyAll();
    }
    closeChannels(cause);
    dispatchEvent(
        () -> {
          if (gaveUp != null) listeners.forEach(l -> l.gaveUp(gaveUp));
          listeners.forEach(l -> l.closed(cause));
        });
  }

  private void closeChannels(ConnectionClosedException cause) {
    for (RecoveringChannel channel : channels) {
      channel.closedForGood(
          new ChannelClosedException(channel.number(), cause.reason(), cause.initiator(), cause));
    }
  }

  // ---- the Connection surface ----

  /** The connection of the moment, waiting while recovering, within the RPC timeout. */
  private AmqpConnection awaitCurrent() {
    synchronized (lock) {
      long deadline = System.nanoTime() + options.rpcTimeout().toNanos();
      while (true) {
        if (closeCause != null) throw closeCause;
        if (!recovering && current.isOpen()) return current;
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AmqpTimeoutException(
              "the connection is recovering and was not back within " + options.rpcTimeout());
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

  @Override
  public Channel openChannel() {
    while (true) {
      AmqpConnection connection = awaitCurrent();
      try {
        RecoveringChannel channel = new RecoveringChannel(this, connection);
        synchronized (lock) {
          // Listed under the lock that a failure takes first: recovery will see it.
          if (closeCause == null && !recovering && connection == current) {
            channels.add(channel);
            return channel;
          }
        }
        // The connection failed before the channel was listed: open it on the next one.
      } catch (ConnectionClosedException e) {
        if (e.initiator() == CloseInitiator.APPLICATION) throw e;
      } catch (ChannelClosedException e) {
        if (e.initiator() != CloseInitiator.NETWORK) throw e;
      }
    }
  }

  @Override
  public boolean isOpen() {
    synchronized (lock) {
      return closeCause == null;
    }
  }

  @Override
  public Endpoint endpoint() {
    synchronized (lock) {
      return current.endpoint();
    }
  }

  @Override
  public Map<String, Object> serverProperties() {
    synchronized (lock) {
      return current.serverProperties();
    }
  }

  @Override
  public int channelMax() {
    synchronized (lock) {
      return current.channelMax();
    }
  }

  @Override
  public int frameMax() {
    synchronized (lock) {
      return current.frameMax();
    }
  }

  @Override
  public Duration heartbeat() {
    synchronized (lock) {
      return current.heartbeat();
    }
  }

  @Override
  public void addListener(ConnectionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener == null"));
  }

  @Override
  public boolean isBlocked() {
    synchronized (lock) {
      return !recovering && current.isBlocked();
    }
  }

  /** Also replaces the password that later recoveries log in with. */
  @Override
  public void updateSecret(String newSecret, String reason) {
    Objects.requireNonNull(newSecret, "newSecret == null");
    awaitCurrent().updateSecret(newSecret, reason);
    synchronized (lock) {
      options = options.newBuilder().password(newSecret).build();
    }
  }

  @Override
  public void close() {
    ConnectionClosedException cause;
    AmqpConnection connection;
    synchronized (lock) {
      if (closeCause != null) return;
      connection = current;
      cause =
          new ConnectionClosedException(
              "the application closed the connection to " + connection.endpoint(),
              new CloseReason(200, "Goodbye", 0, 0),
              CloseInitiator.APPLICATION,
              null);
      closeCause = cause;
      lock.notifyAll();
    }
    closeChannels(cause);
    connection.close();
    dispatchEvent(() -> listeners.forEach(l -> l.closed(cause)));
  }

  @Override
  public ConnectionClosedException closeCause() {
    synchronized (lock) {
      return closeCause;
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "RecoveringConnection{"
          + id
          + " "
          + current.endpoint()
          + (closeCause != null ? " closed" : recovering ? " recovering" : "")
          + "}";
    }
  }
}
