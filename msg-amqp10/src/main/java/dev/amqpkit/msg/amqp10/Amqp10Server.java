package dev.amqpkit.msg.amqp10;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.Connection;
import dev.amqpkit.amqp10.Delivery;
import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.MalformedMessageException;
import dev.amqpkit.amqp10.Receiver;
import dev.amqpkit.amqp10.ReceiverOptions;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.FailurePolicy;
import dev.amqpkit.msg.Message;
import dev.amqpkit.msg.spi.AbstractServer;
import dev.amqpkit.msg.spi.Bodies;
import dev.amqpkit.msg.spi.Settlement;
import java.time.Duration;
import java.util.Objects;

/**
 * A server that receives from an address on a receiver link of its own (in a session of its own),
 * whose credit window is its concurrency unless told otherwise ({@link Builder#prefetch}). With a
 * concurrency of 1 the receiver runs on the serving thread; with more, on the server's worker
 * threads. A message is accepted when its receive returns, and when it throws, released ({@link
 * FailurePolicy#REDELIVER}, the default: the broker delivers it again; not modified as a failed
 * delivery, which RabbitMQ 3.10 does not deliver again) or rejected ({@link
 * FailurePolicy#DEAD_LETTER}: the broker dead-letters or drops it).
 *
 * <p>The link tops its credit up as messages are taken, so the server holds at most its window of
 * messages waiting in the link, its concurrency of messages being processed and, above a
 * concurrency of 1, as many again taken and waiting for a worker (and what RabbitMQ 3.x overruns a
 * window by). A payload that is not an AMQP message, or whose body msg does not read (an {@code
 * amqp-sequence}, an {@code amqp-value} other than binary or a string), is rejected with {@code
 * amqp:decode-error} without reaching the receiver. On a self-healing connection the link comes
 * back after a failure and the broker delivers again what was not settled; settling a message taken
 * before the failure does nothing (it comes again: at least once). Serving fails with {@link
 * dev.amqpkit.msg.ServerFailedException} when the link closes for good (its address deleted, the
 * connection given up).
 *
 * <p>Thread-safe, as every {@link dev.amqpkit.msg.Server}. Shutdown ends the server's session, not
 * the connection, which belongs to the caller.
 */
public final class Amqp10Server extends AbstractServer {
  private static final Duration POLL = Duration.ofMillis(100);

  private final Connection connection;
  private final String address;
  private final FailurePolicy onFailure;
  private final int prefetch;
  private final Object lock = new Object();
  private Session session;
  private boolean released;

  private Amqp10Server(Builder b) {
    // Beyond one at a time, messages are handed to workers: as many again may wait for one.
    super(b.address, b.concurrency, b.concurrency == 1 ? 0 : b.concurrency);
    this.connection = b.connection;
    this.address = b.address;
    this.onFailure = b.onFailure;
    this.prefetch = b.prefetch == 0 ? b.concurrency : b.prefetch;
  }

  /** Options for a server receiving from {@code address} on {@code connection}. */
  public static Builder builder(Connection connection, String address) {
    return new Builder(connection, address);
  }

  @Override
  protected void startTaking() throws InterruptedException {
    Session s = connection.openSession();
    synchronized (lock) {
      if (released) {
        // Shut down while the session began.
        s.close();
        return;
      }
      session = s;
    }
    Receiver receiver =
        s.openReceiver(ReceiverOptions.builder().address(address).credit(prefetch).build());
    takeLoop(receiver);
  }

  /**
   * Takes messages on the serving thread and processes them there (concurrency 1) or hands them to
   * the worker threads.
   */
  private void takeLoop(Receiver receiver) throws InterruptedException {
    while (awaitSlot()) {
      Delivery delivery = null;
      try {
        while (delivery == null && taking()) delivery = receiver.receive(POLL);
      } catch (RuntimeException e) {
        releaseSlot();
        if (Thread.interrupted()) throw new InterruptedException("interrupted while receiving");
        if (taking()) throw e;
        return;
      }
      if (delivery == null) {
        releaseSlot();
        continue;
      }
      if (!taking()) {
        // Shutdown began while it came: it goes back at once.
        releaseSlot();
        delivery.release();
        return;
      }
      byte[] body;
      Attributes attributes;
      try {
        body = Properties.bodyBytes(delivery.message());
        attributes = body == null ? null : Properties.attributes(delivery.message());
      } catch (MalformedMessageException e) {
        body = null;
        attributes = null;
      }
      if (body == null) {
        // Not a message, or a body msg does not read: it would fail again. Rejected, for the
        // broker to dead-letter or drop.
        releaseSlot();
        delivery.reject(
            AmqpError.of(
                ErrorConditions.DECODE_ERROR,
                "msg reads AMQP messages whose body is data, or an amqp-value of binary or a"
                    + " string"));
        continue;
      }
      Message message = new Message(attributes, Bodies.handedOver(body));
      if (concurrency() == 1) {
        process(message, settlement(delivery));
      } else {
        dispatch(message, settlement(delivery));
      }
    }
  }

  private Settlement settlement(Delivery delivery) {
    return new Settlement() {
      @Override
      public void succeeded() {
        delivery.accept();
      }

      @Override
      public void failed(Throwable cause) {
        if (onFailure == FailurePolicy.REDELIVER) {
          // Released rather than modified as failed: RabbitMQ 3.10 does not deliver a message
          // modified so again (the conformance suite shows it).
          delivery.release();
        } else {
          delivery.reject(
              AmqpError.of(
                  ErrorConditions.INTERNAL_ERROR,
                  "the receiver failed with " + cause.getClass().getName()));
        }
      }
    };
  }

  @Override
  protected void stopTaking() {
    // The receive loop sees it within its poll interval.
  }

  @Override
  protected void release() {
    Session s;
    synchronized (lock) {
      released = true;
      s = session;
    }
    if (s != null) s.close();
  }

  /** Options of an {@link Amqp10Server}. */
  public static final class Builder {
    private final Connection connection;
    private final String address;
    private int concurrency = 1;
    private int prefetch;
    private FailurePolicy onFailure = FailurePolicy.REDELIVER;

    private Builder(Connection connection, String address) {
      this.connection = Objects.requireNonNull(connection, "connection == null");
      this.address = Objects.requireNonNull(address, "address == null");
    }

    /** How many messages are processed at once, which is also the link credit; default 1. */
    public Builder concurrency(int concurrency) {
      if (concurrency < 1) throw new IllegalArgumentException("concurrency < 1: " + concurrency);
      this.concurrency = concurrency;
      return this;
    }

    /**
     * The link's credit window: how many messages may wait here, ready, besides those being
     * processed; default: the concurrency. A larger window is faster for quick receivers, at the
     * cost of holding messages other receivers could take.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder prefetch(int prefetch) {
      if (prefetch < 1) throw new IllegalArgumentException("prefetch < 1: " + prefetch);
      this.prefetch = prefetch;
      return this;
    }

    /** What becomes of a message whose receive failed; default {@link FailurePolicy#REDELIVER}. */
    public Builder onFailure(FailurePolicy onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure == null");
      return this;
    }

    /** The server; it opens its session and link when {@code serve} is called. */
    public Amqp10Server build() {
      return new Amqp10Server(this);
    }
  }
}
