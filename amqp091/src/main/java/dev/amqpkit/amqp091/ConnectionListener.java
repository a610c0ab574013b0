package dev.amqpkit.amqp091;

/** Hears what happens to a connection. Callbacks never run on the I/O thread. */
public interface ConnectionListener {
  /** The connection closed, for whatever reason; called once. */
  default void closed(ConnectionClosedException cause) {}

  /** The broker stopped reading from publishers ({@code connection.blocked}), e.g. low memory. */
  default void blocked(String reason) {}

  /** The broker reads from publishers again. */
  default void unblocked() {}
}
