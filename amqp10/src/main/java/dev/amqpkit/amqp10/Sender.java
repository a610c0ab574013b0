package dev.amqpkit.amqp10;

import java.util.concurrent.CompletableFuture;

/**
 * A sending link. {@link #send} waits for link credit and for room in the session's window, then
 * queues the message and returns a future of its outcome; many sends can be in flight at once, and
 * the messages go out in the order their sends returned.
 *
 * <p>Thread-safe. The returned futures complete on the connection's reader thread (on a
 * self-healing connection, also on the thread that recovers it, or that finds the link closed for
 * good): actions chained to them without an executor run there, and must not block.
 *
 * <p>On a self-healing connection (see {@link Connection#open(ConnectionOptions)}), a send that
 * awaited its outcome when the link failed is sent again once the link is attached again, before
 * any send made meanwhile, in the order the sends were made; its future completes with the outcome
 * of that delivery. Sends made while the link recovers wait, up to {@link
 * dev.amqpkit.common.Recovery#bufferedPublishes()} across the connection, and {@link #send} returns
 * their futures at once.
 */
public interface Sender extends AutoCloseable {

  /** The link's name, unique per direction within the connection. */
  String name();

  /** The target address: the one asked for, or the one the peer gave a dynamic link. */
  String address();

  /**
   * Sends a message, settled as the link's {@link SenderSettleMode} says: unsettled (the future
   * completes with the receiver's outcome) unless the mode is {@link SenderSettleMode#SETTLED} (the
   * future completes with null once the message is queued).
   *
   * <p>Waits at most the connection's request timeout for credit, for a place among the {@link
   * SenderOptions#maxInFlight() unsettled sends}, and for room to queue it.
   *
   * @return a future that completes with {@link Outcome#ACCEPTED} once the receiver accepted the
   *     message (null if it settled without naming an outcome); exceptionally with a {@link
   *     MessageRefusedException} carrying the outcome if it rejected, released or modified it; or
   *     exceptionally with the link's, session's or connection's exception if it closes first
   * @throws AmqpTimeoutException if there was no credit or room within the request timeout; the
   *     message was not sent
   * @throws IllegalArgumentException if the encoded message is larger than the peer's
   *     max-message-size
   * @throws LinkClosedException if the link is closed
   * @throws SessionClosedException if the session ended
   */
  CompletableFuture<Outcome> send(Message message);

  /**
   * Sends a message settled ({@code settled} true: no outcome, the future completes with null) or
   * unsettled, on a link in {@link SenderSettleMode#MIXED} mode; otherwise as {@link
   * #send(Message)}.
   *
   * @throws IllegalStateException if {@code settled} contradicts the link's settle mode
   */
  CompletableFuture<Outcome> send(Message message, boolean settled);

  /** The credit the peer has given and this side has not used yet. */
  long credit();

  /** How many sends await their outcome. */
  int unsettled();

  boolean isOpen();

  /**
   * Why the link is closed, or null while it is open: a {@link LinkClosedException}, or the
   * session's or connection's exception.
   */
  AmqpException closeCause();

  /**
   * Detaches the link and closes it: sends {@code detach} with closed set and waits, at most the
   * close timeout, for the peer's. Sends still awaiting an outcome fail. Idempotent.
   */
  @Override
  void close();

  /** Closes the link with an error for the peer; otherwise as {@link #close()}. */
  void close(AmqpError error);

  /**
   * Detaches the link without closing it: the peer keeps the terminus (as its {@link Durability}
   * and {@link ExpiryPolicy} say) so that a link of the same name can attach to it again. Otherwise
   * as {@link #close()}.
   */
  void detach();
}
