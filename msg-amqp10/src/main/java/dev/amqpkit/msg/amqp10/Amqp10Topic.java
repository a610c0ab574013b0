package dev.amqpkit.msg.amqp10;

import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.Connection;
import dev.amqpkit.amqp10.Message;
import dev.amqpkit.amqp10.MessageRefusedException;
import dev.amqpkit.amqp10.Outcome;
import dev.amqpkit.amqp10.Sender;
import dev.amqpkit.amqp10.SenderOptions;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.msg.Attributes;
import dev.amqpkit.msg.MessageWriter;
import dev.amqpkit.msg.SendFailedException;
import dev.amqpkit.msg.Topic;
import dev.amqpkit.msg.spi.BufferedMessageWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A topic that sends to an address on a sender link of its own (in a session of its own),
 * unsettled: a writer's {@code close} returns once the receiving side accepted the message.
 *
 * <p>On a self-healing connection (the client's default) a message the failure caught without an
 * outcome is sent again once the link is back, and {@code close} waits for that outcome: nothing is
 * lost, a message may arrive twice. Messages are durable by default. Attributes become properties
 * and application properties as the package documentation says.
 *
 * <p>Thread-safe: writers may be made and closed from many threads; their messages share the link,
 * many in flight at once. {@link #close()} ends the topic's session, not the connection, which
 * belongs to the caller.
 */
public final class Amqp10Topic implements Topic, AutoCloseable {
  private final String address;
  private final boolean durable;
  private final Duration sendTimeout;
  private final int maxBodySize;
  private final Session session;
  private final Sender sender;

  private Amqp10Topic(Builder b) {
    this.address = b.address;
    this.durable = b.durable;
    this.sendTimeout = b.sendTimeout;
    this.maxBodySize = b.maxBodySize;
    this.session = b.connection.openSession();
    try {
      this.sender =
          session.openSender(
              SenderOptions.builder().address(address).maxInFlight(b.maxInFlight).build());
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** Options for a topic sending to {@code address} on {@code connection}. */
  public static Builder builder(Connection connection, String address) {
    return new Builder(connection, address);
  }

  /** A topic sending to {@code address}, with default options. */
  public static Amqp10Topic create(Connection connection, String address) {
    return builder(connection, address).build();
  }

  @Override
  public MessageWriter newWriter() {
    return new BufferedMessageWriter(maxBodySize) {
      @Override
      protected void send(Attributes attributes, byte[] body, int length) throws IOException {
        deliver(
            Properties.message(
                attributes, length == body.length ? body : Arrays.copyOf(body, length), durable));
      }
    };
  }

  private void deliver(Message message) throws IOException {
    CompletableFuture<Outcome> outcome;
    try {
      outcome = sender.send(message);
    } catch (AmqpException | IllegalArgumentException e) {
      throw new SendFailedException("not sent to '" + address + "': " + e.getMessage(), e);
    }
    try {
      outcome.get(sendTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof MessageRefusedException refused) {
        throw new SendFailedException(
            "'" + address + "' refused the message: " + refused.outcome(), cause);
      }
      throw new SendFailedException(
          "no outcome for the message sent to '" + address + "': " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new SendFailedException(
          "no outcome within "
              + sendTimeout
              + " for the message sent to '"
              + address
              + "'; it may still arrive",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SendFailedException(
          "interrupted while waiting for the outcome of a message sent to '" + address + "'", e);
    }
  }

  /** Ends the topic's session and link; writers closed afterwards fail. */
  @Override
  public void close() {
    session.close();
  }

  @Override
  public String toString() {
    return "Amqp10Topic(" + address + ")";
  }

  /** Options of an {@link Amqp10Topic}. */
  public static final class Builder {
    private final Connection connection;
    private final String address;
    private boolean durable = true;
    private Duration sendTimeout = Duration.ofSeconds(30);
    private int maxInFlight = 10_000;
    private int maxBodySize = 64 * 1024 * 1024;

    private Builder(Connection connection, String address) {
      this.connection = Objects.requireNonNull(connection, "connection == null");
      this.address = Objects.requireNonNull(address, "address == null");
    }

    /** Whether messages are sent durable (their header says so; default true). */
    public Builder durable(boolean durable) {
      this.durable = durable;
      return this;
    }

    /** How long a writer's close waits for the outcome, recovery included; default 30 s. */
    public Builder sendTimeout(Duration sendTimeout) {
      Objects.requireNonNull(sendTimeout, "sendTimeout == null");
      if (sendTimeout.isNegative() || sendTimeout.isZero()) {
        throw new IllegalArgumentException("sendTimeout must be positive: " + sendTimeout);
      }
      this.sendTimeout = sendTimeout;
      return this;
    }

    /** How many messages may await their outcome at once across writers; default 10,000. */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** The largest body a writer takes, in bytes; default 64 MiB. */
    public Builder maxBodySize(int maxBodySize) {
      if (maxBodySize < 0) throw new IllegalArgumentException("maxBodySize < 0: " + maxBodySize);
      this.maxBodySize = maxBodySize;
      return this;
    }

    /**
     * Begins the topic's session and attaches its sender.
     *
     * @throws dev.amqpkit.amqp10.LinkClosedException if the peer refused the link (no such address)
     * @throws AmqpException if the session or link could not be opened otherwise
     */
    public Amqp10Topic build() {
      return new Amqp10Topic(this);
    }
  }
}
