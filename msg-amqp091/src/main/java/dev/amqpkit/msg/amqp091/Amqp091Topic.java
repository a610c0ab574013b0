package dev.amqpkit.msg.amqp091;

import dev.amqpkit.amqp091.AmqpException;
import dev.amqpkit.amqp091.BasicProperties;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.Connection;
import dev.amqpkit.amqp091.PublishNackedException;
import dev.amqpkit.amqp091.PublishReturnedException;
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
 * A topic that publishes to an exchange with a routing key, on a channel of its own in confirm
 * mode: a writer's {@code close} returns once the broker confirmed the message.
 *
 * <p>On a self-healing connection (the client's default) a message the failure caught unconfirmed
 * is published again after recovery and {@code close} waits for that confirm: nothing is lost, a
 * message may arrive twice. Messages are mandatory by default, so that one no queue takes fails its
 * {@code close} instead of vanishing, and persistent by default. Attributes become properties and
 * headers as the package documentation says.
 *
 * <p>Thread-safe: writers may be made and closed from many threads; their messages share the
 * topic's channel. {@link #close()} closes that channel, not the connection, which belongs to the
 * caller.
 */
public final class Amqp091Topic implements Topic, AutoCloseable {
  private final String exchange;
  private final String routingKey;
  private final boolean mandatory;
  private final boolean persistent;
  private final Duration confirmTimeout;
  private final int maxBodySize;
  private final Channel channel;

  private Amqp091Topic(Builder b) {
    this.exchange = b.exchange;
    this.routingKey = b.routingKey;
    this.mandatory = b.mandatory;
    this.persistent = b.persistent;
    this.confirmTimeout = b.confirmTimeout;
    this.maxBodySize = b.maxBodySize;
    this.channel = b.connection.openChannel();
    try {
      channel.confirmSelect(b.maxUnconfirmed);
    } catch (RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Options for a topic on {@code connection}; the exchange defaults to the default exchange
   * ({@code ""}), where the routing key names a queue.
   */
  public static Builder builder(Connection connection) {
    return new Builder(connection);
  }

  /** A topic publishing to {@code queue} through the default exchange, with default options. */
  public static Amqp091Topic forQueue(Connection connection, String queue) {
    return builder(connection).routingKey(queue).build();
  }

  @Override
  public MessageWriter newWriter() {
    return new BufferedMessageWriter(maxBodySize) {
      @Override
      protected void send(Attributes attributes, byte[] body, int length) throws IOException {
        publish(attributes, length == body.length ? body : Arrays.copyOf(body, length));
      }
    };
  }

  private void publish(Attributes attributes, byte[] body) throws IOException {
    BasicProperties properties = Headers.properties(attributes, persistent);
    CompletableFuture<Void> confirm;
    try {
      confirm =
          mandatory
              ? channel.basicPublishMandatoryWithConfirm(exchange, routingKey, properties, body)
              : channel.basicPublishWithConfirm(exchange, routingKey, properties, body);
    } catch (AmqpException | IllegalArgumentException e) {
      throw new SendFailedException("not published to " + where() + ": " + e.getMessage(), e);
    }
    try {
      confirm.get(confirmTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof PublishReturnedException) {
        throw new SendFailedException("no queue took the message sent to " + where(), cause);
      }
      if (cause instanceof PublishNackedException) {
        throw new SendFailedException("the broker refused the message sent to " + where(), cause);
      }
      throw new SendFailedException(
          "not confirmed, sent to " + where() + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new SendFailedException(
          "no confirm within "
              + confirmTimeout
              + " for the message sent to "
              + where()
              + "; it may still arrive",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SendFailedException(
          "interrupted while waiting for the confirm of a message sent to " + where(), e);
    }
  }

  private String where() {
    return "exchange '" + exchange + "' with routing key '" + routingKey + "'";
  }

  /** Closes the topic's channel; writers closed afterwards fail. */
  @Override
  public void close() {
    channel.close();
  }

  @Override
  public String toString() {
    return "Amqp091Topic(" + where() + ")";
  }

  /** Options of an {@link Amqp091Topic}. */
  public static final class Builder {
    private final Connection connection;
    private String exchange = "";
    private String routingKey = "";
    private boolean mandatory = true;
    private boolean persistent = true;
    private Duration confirmTimeout = Duration.ofSeconds(30);
    private int maxUnconfirmed = Channel.DEFAULT_MAX_UNCONFIRMED;
    private int maxBodySize = 64 * 1024 * 1024;

    private Builder(Connection connection) {
      this.connection = Objects.requireNonNull(connection, "connection == null");
    }

    /** The exchange to publish to; default {@code ""}, the default exchange. */
    public Builder exchange(String exchange) {
      this.exchange = Objects.requireNonNull(exchange, "exchange == null");
      return this;
    }

    /** The routing key of every message; default {@code ""}. */
    public Builder routingKey(String routingKey) {
      this.routingKey = Objects.requireNonNull(routingKey, "routingKey == null");
      return this;
    }

    /**
     * Whether a message no queue takes fails its writer's close (default true); if false, the
     * broker drops it silently.
     */
    public Builder mandatory(boolean mandatory) {
      this.mandatory = mandatory;
      return this;
    }

    /** Whether messages are published persistent (delivery mode 2; default true). */
    public Builder persistent(boolean persistent) {
      this.persistent = persistent;
      return this;
    }

    /**
     * How long a writer's close waits for the broker's confirm, recovery included; default 30 s.
     */
    public Builder confirmTimeout(Duration confirmTimeout) {
      Objects.requireNonNull(confirmTimeout, "confirmTimeout == null");
      if (confirmTimeout.isNegative() || confirmTimeout.isZero()) {
        throw new IllegalArgumentException("confirmTimeout must be positive: " + confirmTimeout);
      }
      this.confirmTimeout = confirmTimeout;
      return this;
    }

    /** How many messages may await their confirm at once across writers; default 10,000. */
    public Builder maxUnconfirmed(int maxUnconfirmed) {
      if (maxUnconfirmed < 1) throw new IllegalArgumentException("maxUnconfirmed < 1");
      this.maxUnconfirmed = maxUnconfirmed;
      return this;
    }

    /** The largest body a writer takes, in bytes; default 64 MiB. */
    public Builder maxBodySize(int maxBodySize) {
      if (maxBodySize < 0) throw new IllegalArgumentException("maxBodySize < 0: " + maxBodySize);
      this.maxBodySize = maxBodySize;
      return this;
    }

    /**
     * Opens the topic's channel and puts it in confirm mode.
     *
     * @throws dev.amqpkit.amqp091.AmqpException if the channel could not be opened
     */
    public Amqp091Topic build() {
      return new Amqp091Topic(this);
    }
  }
}
