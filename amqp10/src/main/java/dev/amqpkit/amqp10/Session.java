package dev.amqpkit.amqp10;

/**
 * An AMQP 1.0 session: a channel of the connection, with the transfer windows of both sides. A
 * session error ends this session only; the connection and its other sessions go on.
 *
 * <p>Thread-safe.
 */
public interface Session extends AutoCloseable {

  /** This side's channel number for the session. */
  int channel();

  boolean isOpen();

  /** Why the session ended, or null while it is open. */
  SessionClosedException closeCause();

  /**
   * Ends the session: sends {@code end} and waits, at most the connection's close timeout, for the
   * peer's. Idempotent.
   */
  @Override
  void close();

  /** Ends the session with an error for the peer; otherwise as {@link #close()}. */
  void close(AmqpError error);
}
