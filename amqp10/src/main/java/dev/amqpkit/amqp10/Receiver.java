package dev.amqpkit.amqp10;

import java.time.Duration;

/**
 * A receiving link. With automatic credit (the default) the receiver keeps up to its credit window
 * of messages prefetched and tops the peer's credit up as the application takes them, before it
 * runs out; with manual credit the application grants credit with {@link #addCredit} and takes it
 * back with {@link #drain}.
 *
 * <p>Memory is bounded: no more messages are prefetched than the credit granted, or, from a peer
 * that overruns its credit (RabbitMQ 3.x does, by up to a window's worth after top-ups), three
 * times that; a peer that goes further has the link detached with {@code
 * amqp:link:transfer-limit-exceeded}.
 *
 * <p>On a self-healing connection (see {@link Connection#open(ConnectionOptions)}), a receiver
 * whose link failed is attached again under its name, with its source, and granted its credit again
 * (the window, or with manual credit what the failed link had left plus what was added meanwhile).
 * A {@link #receive} waiting meanwhile waits for the new link, within its timeout. Prefetched
 * deliveries are dropped, and deliveries taken before the failure go stale (see {@link
 * Delivery#settle}): the peer delivers them again.
 *
 * <p>Thread-safe.
 */
public interface Receiver extends AutoCloseable {

  /** The link's name, unique per direction within the connection. */
  String name();

  /** The source address: the one asked for, or the one the peer gave a dynamic link. */
  String address();

  /**
   * Returns the next delivery, waiting at most {@code timeout} for one to arrive.
   *
   * @return the delivery, or null if none arrived within the timeout
   * @throws LinkClosedException if the link is closed (also while waiting)
   * @throws SessionClosedException if the session ended
   * @throws AmqpException if the calling thread is interrupted while waiting
   */
  Delivery receive(Duration timeout);

  /** Returns the next prefetched delivery without waiting, or null if there is none. */
  Delivery poll();

  /** How many deliveries have arrived that the application has not taken yet. */
  int prefetched();

  /** The credit this side has granted the peer and the peer has not used yet. */
  long credit();

  /**
   * Grants the peer {@code credit} more messages. Manual credit only.
   *
   * @throws IllegalArgumentException if {@code credit} is below 1
   * @throws IllegalStateException if the receiver manages its credit itself
   */
  void addCredit(int credit);

  /**
   * Asks the peer to use up or give back all the credit it holds, and waits at most {@code timeout}
   * for its answer. Deliveries sent meanwhile are prefetched as usual. Manual credit only.
   *
   * @throws AmqpTimeoutException if the peer did not answer within the timeout
   * @throws IllegalStateException if the receiver manages its credit itself
   */
  void drain(Duration timeout);

  boolean isOpen();

  /**
   * Why the link is closed, or null while it is open: a {@link LinkClosedException}, or the
   * session's or connection's exception.
   */
  AmqpException closeCause();

  /**
   * Detaches the link and closes it, within the close timeout. Prefetched deliveries are dropped:
   * the peer gets them back as unsettled. Idempotent.
   */
  @Override
  void close();

  /** Closes the link with an error for the peer; otherwise as {@link #close()}. */
  void close(AmqpError error);

  /** Detaches the link without closing it; see {@link Sender#detach()}. */
  void detach();
}
