package dev.amqpkit.amqp091;

import java.time.Duration;

/**
 * Hears what happens to a connection. Callbacks never run on the I/O thread.
 *
 * <p>On a connection that {@linkplain ConnectionOptions#recovery() recovers}, a failure is heard as
 * {@link #disconnected}, then {@link #reconnecting} before each attempt, then {@link #recovered}
 * or, once the attempts are spent, {@link #gaveUp} followed by {@link #closed}.
 */
public interface ConnectionListener {
  /** The connection closed for good, for whatever reason; called once. */
  default void closed(ConnectionClosedException cause) {}

  /** The broker stopped reading from publishers ({@code connection.blocked}), e.g. low memory. */
  default void blocked(String reason) {}

  /** The broker reads from publishers again. */
  default void unblocked() {}

  /** The connection failed and will be recovered; {@code cause} says how it failed. */
  default void disconnected(ConnectionClosedException cause) {}

  /** An attempt to reconnect starts after {@code delay}; the first attempt is number 1. */
  default void reconnecting(int attempt, Duration delay) {}

  /**
   * The connection is back, with its topology, channels and consumers restored and the publishes
   * that were unconfirmed sent again.
   */
  default void recovered() {}

  /**
   * A server-named queue came back from recovery under a new name; the consumers and bindings that
   * used the old one now use the new one.
   */
  default void queueRenamed(String oldName, String newName) {}

  /**
   * Recovery stopped trying; {@link #closed} follows. {@code cause} is the last attempt's failure.
   */
  default void gaveUp(Exception cause) {}
}
