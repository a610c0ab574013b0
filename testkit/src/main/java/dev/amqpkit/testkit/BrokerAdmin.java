package dev.amqpkit.testkit;

import dev.amqpkit.testkit.amqp091.Arguments;
import dev.amqpkit.testkit.amqp091.BrokerCloseException;
import dev.amqpkit.testkit.amqp091.Frame;
import dev.amqpkit.testkit.amqp091.WireConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Declares, inspects and deletes queues and exchanges on a test broker over its own AMQP 0-9-1
 * connection, independent of the client under test: what a test asserts about the broker, it checks
 * through here.
 *
 * <p>Every call is synchronous and bounded by the timeout given at open. Not thread-safe. I/O
 * failures surface as {@link UncheckedIOException}; a refusal by the broker as one whose cause is a
 * {@link BrokerCloseException} carrying the reply code.
 */
public final class BrokerAdmin implements AutoCloseable {
  private static final int CHANNEL = 1;
  private static final int EXCHANGE = 40;
  private static final int QUEUE = 50;
  private static final int NOT_FOUND = 404;
  private static final int RESOURCE_LOCKED = 405;

  private final WireConnection connection;

  private BrokerAdmin(WireConnection connection) throws IOException {
    this.connection = connection;
    connection.openChannel(CHANNEL);
  }

  /** Connects and logs in to the endpoint's virtual host. */
  public static BrokerAdmin open(BrokerEndpoint endpoint, Duration timeout) {
    Objects.requireNonNull(endpoint, "endpoint == null");
    try {
      WireConnection connection = WireConnection.open(endpoint, timeout);
      try {
        return new BrokerAdmin(connection);
      } catch (IOException | RuntimeException e) {
        connection.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open an admin connection to " + endpoint, e);
    }
  }

  /** Declares a non-durable, non-exclusive queue that is not auto-deleted. */
  public void declareQueue(String name) {
    queueDeclare(name, false, false);
  }

  /** Declares a durable, non-exclusive queue that is not auto-deleted: it outlives a restart. */
  public void declareDurableQueue(String name) {
    queueDeclare(name, false, true);
  }

  /** Whether the queue exists; a queue another connection holds exclusively counts as existing. */
  public boolean queueExists(String name) {
    return exists(() -> queueDeclare(name, true, false));
  }

  /** The number of ready messages in an existing queue. */
  public long messageCount(String name) {
    return queueDeclare(name, true, false);
  }

  /** Deletes a queue, whatever it holds; deleting a missing queue is not an error. */
  public void deleteQueue(String name) {
    Arguments args =
        Arguments.create().shortUint(0).shortString(name).bit(false).bit(false).bit(false);
    rpc(QUEUE, 40, args, 41);
  }

  /** Declares a non-durable exchange of the given type ({@code direct}, {@code topic}...). */
  public void declareExchange(String name, String type) {
    exchangeDeclare(name, type, false);
  }

  /** Whether the exchange exists. */
  public boolean exchangeExists(String name) {
    return exists(() -> exchangeDeclare(name, "direct", true));
  }

  /** Deletes an exchange; deleting a missing exchange is not an error. */
  public void deleteExchange(String name) {
    Arguments args = Arguments.create().shortUint(0).shortString(name).bit(false).bit(false);
    rpc(EXCHANGE, 20, args, 21);
  }

  private long queueDeclare(String name, boolean passive, boolean durable) {
    Arguments args =
        Arguments.create()
            .shortUint(0)
            .shortString(name)
            .bit(passive)
            .bit(durable)
            .bit(false)
            .bit(false)
            .bit(false)
            .table(Map.of());
    try {
      var reply = rpc(QUEUE, 10, args, 11).arguments();
      reply.shortString();
      return reply.longUint();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void exchangeDeclare(String name, String type, boolean passive) {
    Arguments args =
        Arguments.create()
            .shortUint(0)
            .shortString(name)
            .shortString(type)
            .bit(passive)
            .bit(false)
            .bit(false)
            .bit(false)
            .bit(false)
            .table(Map.of());
    rpc(EXCHANGE, 10, args, 11);
  }

  private boolean exists(Runnable passiveDeclare) {
    try {
      passiveDeclare.run();
      return true;
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof BrokerCloseException close
          && close.scope() == BrokerCloseException.Scope.CHANNEL) {
        if (close.replyCode() == NOT_FOUND) return false;
        if (close.replyCode() == RESOURCE_LOCKED) return true;
      }
      throw e;
    }
  }

  private Frame rpc(int classId, int methodId, Arguments args, int replyMethodId) {
    try {
      return connection.call(CHANNEL, classId, methodId, args, replyMethodId);
    } catch (BrokerCloseException e) {
      if (e.scope() == BrokerCloseException.Scope.CHANNEL) reopenChannel(e);
      throw new UncheckedIOException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void reopenChannel(BrokerCloseException cause) {
    try {
      connection.openChannel(CHANNEL);
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  /** Closes the connection; never throws. */
  @Override
  public void close() {
    connection.close();
  }
}
