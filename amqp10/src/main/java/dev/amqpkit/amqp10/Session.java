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
   * Attaches a sender to {@code address} with the default {@link SenderOptions}.
   *
   * @see #openSender(SenderOptions)
   */
  default Sender openSender(String address) {
    return openSender(SenderOptions.builder().address(address).build());
  }

  /**
   * Attaches a sender and waits, at most the request timeout, for the peer's {@code attach}.
   *
   * @throws LinkClosedException if the peer refused the link (the exception carries its error) or
   *     did not agree to the settle modes asked for
   * @throws AmqpTimeoutException if the peer did not answer within the request timeout
   * @throws SessionClosedException if the session ended
   * @throws AmqpException if every link handle the two sides allow is in use
   */
  Sender openSender(SenderOptions options);

  /**
   * Attaches a receiver to {@code address} with the default {@link ReceiverOptions}.
   *
   * @see #openReceiver(ReceiverOptions)
   */
  default Receiver openReceiver(String address) {
    return openReceiver(ReceiverOptions.builder().address(address).build());
  }

  /**
   * Attaches a receiver, waits at most the request timeout for the peer's {@code attach}, and, with
   * automatic credit, grants its credit window. Throws as {@link #openSender(SenderOptions)}.
   */
  Receiver openReceiver(ReceiverOptions options);

  /**
   * Ends the session, and with it its links: sends {@code end} and waits, at most the connection's
   * close timeout, for the peer's. Idempotent.
   */
  @Override
  void close();

  /** Ends the session with an error for the peer; otherwise as {@link #close()}. */
  void close(AmqpError error);
}
