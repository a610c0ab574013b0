package dev.amqpkit.amqp10;

/** Hears that a connection closed. Called once, on a callback thread, never on the I/O thread. */
@FunctionalInterface
public interface ConnectionListener {
  void closed(ConnectionClosedException cause);
}
