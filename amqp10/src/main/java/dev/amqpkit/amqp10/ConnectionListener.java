package dev.amqpkit.amqp10;

import java.time.Duration;

/**
 * Hears what happens to a connection. Callbacks run on a callback thread, in order, never on the
 * I/O thread.
 *
 * <p>On a connection that {@linkplain ConnectionOptions#recovery() recovers}, a failure is heard as
 * {@link #disconnected}, then {@link #reconnecting} before each attempt, then {@link #recovered}
 * or, once the attempts are spent, {@link #gaveUp} followed by {@link #closed}. A session that the
 * peer ended with {@code amqp:internal-error} is recovered on the same connection: {@link
 * #sessionRecovered} follows.
 */
public interface ConnectionListener {
  /** The connection closed for good, for whatever reason; called once. */
  default void closed(ConnectionClosedException cause) {}

  /** The connection failed and will be recovered; {@code cause} says how it failed. */
  default void disconnected(ConnectionClosedException cause) {}

  /** An attempt to reconnect starts after {@code delay}; the first attempt is number 1. */
  default void reconnecting(int attempt, Duration delay) {}

  /**
   * The connection is back: its sessions begun again, their links attached again, and the sends
   * that awaited an outcome sent again.
   */
  default void recovered() {}

  /**
   * A session the peer ended with an error its connection recovers from (RabbitMQ reports a
   * connection closed by an operator so) is begun again, with its links, on the same connection.
   */
  default void sessionRecovered(Session session) {}

  /**
   * A link could not be attached again during recovery (the peer refused it: its node is gone, for
   * instance) and is closed for good; its sends that awaited an outcome fail with {@code cause}.
   */
  default void linkLost(String linkName, AmqpException cause) {}

  /**
   * Recovery stopped trying; {@link #closed} follows. {@code cause} is the last attempt's failure.
   */
  default void gaveUp(Exception cause) {}
}
