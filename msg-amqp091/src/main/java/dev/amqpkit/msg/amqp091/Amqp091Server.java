package dev.amqpkit.msg.amqp091;

import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.ChannelClosedException;
import dev.amqpkit.amqp091.ChannelListener;
import dev.amqpkit.amqp091.CloseInitiator;
import dev.amqpkit.amqp091.Connection;
import dev.amqpkit.amqp091.Delivery;
import dev.amqpkit.amqp091.DeliveryHandler;
import dev.amqpkit.amqp091.Requeue;
import dev.amqpkit.msg.FailurePolicy;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.spi.AbstractServer;
import dev.amqpkit.msg.spi.Bodies;
import dev.amqpkit.msg.spi.Settlement;
import java.util.Objects;

/**
 * A server that consumes a queue on a channel of its own, with a prefetch equal to its concurrency
 * unless told otherwise. With a concurrency of 1 the receiver runs on the channel's callback
 * thread; with more, on the server's worker threads. A message is acknowledged when its receive
 * returns, and nacked when it throws, requeued ({@link FailurePolicy#REDELIVER}, the default) or
 * not ({@link FailurePolicy#DEAD_LETTER}: the queue's dead-letter exchange takes it, if it has
 * one).
 *
 * <p>The queue must exist; the server declares nothing. On a self-healing connection the consumer
 * comes back after a failure; the broker redelivers what was unacknowledged, and the
 * acknowledgement of a message processed across the failure is dropped (the message comes again: at
 * least once). Serving fails with {@link dev.amqpkit.msg.ServerFailedException} if the broker
 * cancels the consumer (the queue was deleted) or the channel closes for good.
 *
 * <p>Thread-safe, as every {@link dev.amqpkit.msg.Server}. Shutdown closes the server's channel,
 * not the connection, which belongs to the caller.
 */
public final class Amqp091Server extends AbstractServer {
  private final Connection connection;
  private final String queue;
  private final Requeue onFailure;
  private final int prefetch;
  private final Object lock = new Object();
  private Channel channel;
  private String consumerTag;
  private boolean cancelled;
  private boolean released;

  private Amqp091Server(Builder b) {
    // Beyond one at a time, messages are handed to workers: as many again may wait for one.
    super(b.queue, b.concurrency, b.concurrency == 1 ? 0 : b.concurrency);
    this.connection = b.connection;
    this.queue = b.queue;
    this.onFailure = b.onFailure == FailurePolicy.REDELIVER ? Requeue.REQUEUE : Requeue.DISCARD;
    this.prefetch = b.prefetch == 0 ? b.concurrency : b.prefetch;
  }

  /** Options for a server consuming {@code queue} on {@code connection}. */
  public static Builder builder(Connection connection, String queue) {
    return new Builder(connection, queue);
  }

  @Override
  protected void startTaking() {
    Channel ch = connection.openChannel();
    synchronized (lock) {
      if (released) {
        // Shut down while the channel opened.
        ch.close();
        return;
      }
      channel = ch;
    }
    ch.addListener(
        new ChannelListener() {
          @Override
          public void closed(ChannelClosedException cause) {
            if (taking()) fail(cause);
          }
        });
    ch.basicQos(prefetch);
    String tag = ch.basicConsume(queue, new Handler(ch));
    boolean cancelNow;
    synchronized (lock) {
      consumerTag = tag;
      cancelNow = cancelled;
    }
    // A shutdown that came while the consumer was being registered could not cancel it.
    if (cancelNow) ch.basicCancel(tag);
  }

  @Override
  protected void stopTaking() {
    Channel ch;
    String tag;
    synchronized (lock) {
      cancelled = true;
      ch = channel;
      tag = consumerTag;
    }
    if (ch != null && tag != null && ch.isOpen()) ch.basicCancel(tag);
  }

  @Override
  protected void release() {
    Channel ch;
    synchronized (lock) {
      released = true;
      ch = channel;
    }
    if (ch != null) ch.close();
  }

  private final class Handler implements DeliveryHandler {
    private final Channel ch;

    Handler(Channel ch) {
      this.ch = ch;
    }

    @Override
    public void handle(Delivery delivery) throws InterruptedException {
      long tag = delivery.deliveryTag();
      if (!awaitSlot()) {
        // Stopping: the message goes back at once rather than when the channel closes.
        if (ch.isOpen()) ch.basicNack(tag, Requeue.REQUEUE);
        return;
      }
      Message message =
          new Message(
              Headers.attributes(delivery.properties()), Bodies.handedOver(delivery.body()));
      Settlement settlement =
          new Settlement() {
            @Override
            public void succeeded() {
              ch.basicAck(tag);
            }

            @Override
            public void failed(Throwable cause) {
              ch.basicNack(tag, onFailure);
            }
          };
      // One at a time: on the channel's callback thread, sparing a hand-over per message.
      if (concurrency() == 1) {
        process(message, settlement);
      } else {
        dispatch(message, settlement);
      }
    }

    @Override
    public void cancelled(String tag, CloseInitiator initiator) {
      if (initiator == CloseInitiator.BROKER && taking()) {
        fail(
            new IllegalStateException(
                "the broker cancelled the consumer of queue '" + queue + "' (was it deleted?)"));
      }
    }
  }

  /** Options of an {@link Amqp091Server}. */
  public static final class Builder {
    private final Connection connection;
    private final String queue;
    private int concurrency = 1;
    private int prefetch;
    private FailurePolicy onFailure = FailurePolicy.REDELIVER;

    private Builder(Connection connection, String queue) {
      this.connection = Objects.requireNonNull(connection, "connection == null");
      this.queue = Objects.requireNonNull(queue, "queue == null");
    }

    /**
     * How many messages are processed at once, which is also the prefetch; default 1.
     *
     * @throws IllegalArgumentException if less than 1 or more than 65,535 (the prefetch's limit)
     */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1 || concurrency > 65_535) {
        throw new IllegalArgumentException("concurrency must be 1..65535: " + concurrency);
      }
      this.concurrency = concurrency;
      return this;
    }

    /**
     * How many unacknowledged messages the broker may hand over at once; default: the concurrency.
     * More than the concurrency lets messages wait here, ready, while a receive runs: faster for
     * quick receivers, at the cost of holding messages other consumers could take.
     *
     * @throws IllegalArgumentException if less than 1 or more than 65,535
     */
    public Builder prefetch(int prefetch) {
      if (prefetch < 1 || prefetch > 65_535) {
        throw new IllegalArgumentException("prefetch must be 1..65535: " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /** What becomes of a message whose receive failed; default {@link FailurePolicy#REDELIVER}. */
    public Builder onFailure(FailurePolicy onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure == null");
      return this;
    }

    /** The server; it opens its channel when {@code serve} is called. */
    public Amqp091Server build() {
      return new Amqp091Server(this);
    }
  }
}
