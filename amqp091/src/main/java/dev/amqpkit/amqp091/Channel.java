package dev.amqpkit.amqp091;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A channel: the unit of work on a connection. Methods are named after the protocol methods they
 * send. Synchronous methods block until the broker answers. Each wait is bounded by the
 * connection's RPC timeout: for the channel's turn, then for room in the send queue, then for the
 * reply, so a call returns or throws {@link AmqpTimeoutException} within three of them. {@code
 * NoWait} forms wait only for room in the send queue.
 *
 * <p>Thread-safe. Synchronous calls made from several threads take turns, one on the wire at a
 * time. Publishing from many threads is safe: one message's frames are never interleaved with
 * another's.
 *
 * <p>A channel-level error from the broker (404, 403, 405, 406...) closes this channel only: the
 * call that caused it throws {@link ChannelClosedException}, and so does every later call.
 */
public interface Channel extends AutoCloseable {

  /** The channel number on its connection. */
  int number();

  boolean isOpen();

  /** Why the channel closed, or {@code null} while it is open. */
  ChannelClosedException closeCause();

  void addListener(ChannelListener listener);

  // ---- exchange ----

  /** Declares an exchange, or checks that it exists with the same settings (406 if not). */
  void exchangeDeclare(ExchangeSpec spec);

  void exchangeDeclareNoWait(ExchangeSpec spec);

  /**
   * Checks that an exchange exists.
   *
   * @throws ChannelClosedException with 404 NOT_FOUND if it does not (the channel closes)
   */
  void exchangeDeclarePassive(String name);

  void exchangeDelete(String name, DeleteCondition... conditions);

  /** Routes messages from {@code source} to {@code destination} (a RabbitMQ extension). */
  void exchangeBind(String destination, String source, String routingKey, Map<String, ?> arguments);

  void exchangeUnbind(
      String destination, String source, String routingKey, Map<String, ?> arguments);

  // ---- queue ----

  /** Declares a queue, or checks that it exists with the same settings (406 if not). */
  QueueDeclareOk queueDeclare(QueueSpec spec);

  /** Declares a queue without waiting; the spec must name the queue. */
  void queueDeclareNoWait(QueueSpec spec);

  /**
   * Checks that a queue exists and returns its counts.
   *
   * @throws ChannelClosedException with 404 NOT_FOUND if it does not (the channel closes)
   */
  QueueDeclareOk queueDeclarePassive(String name);

  void queueBind(String queue, String exchange, String routingKey, Map<String, ?> arguments);

  void queueBindNoWait(String queue, String exchange, String routingKey, Map<String, ?> arguments);

  void queueUnbind(String queue, String exchange, String routingKey, Map<String, ?> arguments);

  /** Removes every ready message; returns how many. */
  long queuePurge(String queue);

  /** Deletes a queue; returns how many messages it held. */
  long queueDelete(String queue, DeleteCondition... conditions);

  // ---- basic ----

  /** Limits unacknowledged deliveries to each consumer started afterwards. */
  void basicQos(int prefetchCount);

  /** Limits unacknowledged deliveries, per consumer or for the whole channel. */
  void basicQos(int prefetchCount, QosScope scope);

  /** Starts a consumer that acknowledges explicitly; returns the broker-chosen consumer tag. */
  String basicConsume(String queue, DeliveryHandler handler);

  /**
   * Starts a consumer; returns its consumer tag. Deliveries wait for the handler, in order, on the
   * channel's callback queue. Only the prefetch ({@link #basicQos}) bounds that queue: without one
   * (or with auto-ack), a handler slower than the broker lets deliveries pile up in memory.
   */
  String basicConsume(String queue, ConsumeOptions options, DeliveryHandler handler);

  /**
   * Cancels a consumer and waits for the broker to confirm. Deliveries already received are still
   * handed to the handler, then {@link DeliveryHandler#cancelled} runs.
   */
  void basicCancel(String consumerTag);

  /**
   * Publishes a message and returns once its frames are queued for the socket; the connection's
   * writer thread sends queued frames in batches. Either way the caller may reuse its array as soon
   * as the call returns. When 512 KiB are already queued (the broker or the network is slower than
   * the publisher), the call waits for room, at most the RPC timeout: publishing is back-pressured,
   * never buffered without bound. A body up to 256 KiB is copied; a larger one is not, and the call
   * returns once the writer has sent it. If the broker then reads nothing for a whole RPC timeout,
   * the publish fails with {@link AmqpTimeoutException} when none of it was sent yet; a message
   * partly sent cannot be taken back, and the connection is closed with that cause.
   *
   * <p>Safe to call from many threads. On a channel in confirm mode the call first waits, at most
   * the RPC timeout, while {@linkplain #confirmSelect(int) the window of unconfirmed publishes} is
   * full; {@link #waitForConfirms} and {@linkplain #addConfirmListener confirm listeners} then
   * learn the broker's answer. On a bare connection this costs nothing per message beyond its
   * frames; on a self-healing one (the default) the message is kept, with a copy of its body, until
   * the broker confirms it, to be sent again should the connection fail first. To follow one
   * message, use {@link #basicPublishWithConfirm}.
   *
   * @throws ChannelClosedException if the channel is closed
   * @throws AmqpTimeoutException if the message could not be queued within the RPC timeout; nothing
   *     of it was sent, and the channel and connection stay usable
   */
  void basicPublish(String exchange, String routingKey, BasicProperties properties, byte[] body);

  /**
   * Publishes a mandatory message: if no queue takes it, the broker returns it to {@link
   * ChannelListener#returned}. Otherwise as {@link #basicPublish}.
   */
  void basicPublishMandatory(
      String exchange, String routingKey, BasicProperties properties, byte[] body);

  /**
   * Publishes a message on a channel in confirm mode, as {@link #basicPublish}, and returns a
   * future of the broker's answer: it completes when the broker confirms the message, or
   * exceptionally with {@link PublishNackedException} or, if the channel closes first, {@link
   * ChannelClosedException}. Futures complete on the channel's callback executor, never on the
   * connection's I/O thread, in the order the broker confirms.
   *
   * @throws IllegalStateException if the channel is not in confirm mode
   * @throws ChannelClosedException if the channel is closed
   * @throws AmqpTimeoutException if the message could not be queued within the RPC timeout; nothing
   *     of it was sent, and the channel and connection stay usable
   */
  CompletableFuture<Void> basicPublishWithConfirm(
      String exchange, String routingKey, BasicProperties properties, byte[] body);

  /**
   * As {@link #basicPublishWithConfirm}, for a mandatory message: if no queue takes it, the broker
   * returns it (to {@link ChannelListener#returned} too) and the future fails with {@link
   * PublishReturnedException}, which carries it.
   */
  CompletableFuture<Void> basicPublishMandatoryWithConfirm(
      String exchange, String routingKey, BasicProperties properties, byte[] body);

  /** Fetches one message that must be acknowledged; empty when the queue has none ready. */
  Optional<Delivery> basicGet(String queue);

  /** Fetches one message the broker counts as acknowledged once sent. */
  Optional<Delivery> basicGetAutoAck(String queue);

  /** Acknowledges one delivery. */
  void basicAck(long deliveryTag);

  /** Acknowledges every unacknowledged delivery up to and including this one. */
  void basicAckUpTo(long deliveryTag);

  /** Rejects one delivery (a RabbitMQ extension; same as {@link #basicReject}). */
  void basicNack(long deliveryTag, Requeue requeue);

  /** Rejects every unacknowledged delivery up to and including this one. */
  void basicNackUpTo(long deliveryTag, Requeue requeue);

  void basicReject(long deliveryTag, Requeue requeue);

  /** Redelivers every unacknowledged message on the channel ({@code basic.recover}). */
  void basicRecover(Requeue requeue);

  // ---- confirm ----

  /**
   * The number of unconfirmed publishes {@link #confirmSelect()} allows: 10,000. On a self-healing
   * connection, which keeps each unconfirmed message's body, that is as many bodies.
   */
  int DEFAULT_MAX_UNCONFIRMED = 10_000;

  /**
   * Puts the channel in confirm mode with at most {@link #DEFAULT_MAX_UNCONFIRMED} publishes
   * unconfirmed at a time; see {@link #confirmSelect(int)}.
   */
  void confirmSelect();

  /**
   * Puts the channel in confirm mode: every later publish gets a sequence number and a confirm. At
   * most {@code maxUnconfirmed} publishes may await their confirm: a publish that would exceed it
   * waits for one, at most the RPC timeout, so a publisher runs exactly as far ahead of the broker
   * as this window allows. Called again on a channel in confirm mode, it only changes the limit.
   *
   * @throws IllegalArgumentException if {@code maxUnconfirmed} is less than 1
   */
  void confirmSelect(int maxUnconfirmed);

  /** The sequence number the next publish will get; 0 when not in confirm mode. */
  long nextPublishSequenceNumber();

  /** Adds a listener for confirms, alongside the per-publish futures. */
  void addConfirmListener(ConfirmListener listener);

  /**
   * Waits until the broker has answered every message published so far, then reports the first nack
   * since the previous call, if there was one: a publisher that calls this after each batch learns
   * of every nack once. When it returns, the futures of {@link #basicPublishWithConfirm} for those
   * messages are complete too. Confirms are counted on the connection's I/O thread, so this may be
   * called from one of this channel's callbacks, except while such a future is still to be
   * completed: futures complete on that same executor, and the wait would end in the timeout.
   *
   * @throws PublishNackedException naming the first message the broker nacked since the previous
   *     call (it is reported once)
   * @throws AmqpTimeoutException if they are not all answered within {@code timeout}
   * @throws ChannelClosedException if the channel closed with some of them unanswered
   * @throws IllegalStateException if the channel is not in confirm mode
   */
  void waitForConfirms(Duration timeout);

  // ---- tx ----

  void txSelect();

  void txCommit();

  void txRollback();

  // ---- channel ----

  /**
   * Asks the broker to stop ({@code false}) or resume ({@code true}) deliveries. RabbitMQ does not
   * support stopping and closes the connection with 540 NOT_IMPLEMENTED.
   */
  void channelFlow(boolean active);

  /**
   * Closes the channel, waiting at most the close timeout for the broker to confirm. Idempotent.
   */
  @Override
  void close();
}
