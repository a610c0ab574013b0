package dev.amqpkit.amqp091;

import dev.amqpkit.amqp091.internal.AmqpConnection;
import dev.amqpkit.amqp091.internal.RecoveringConnection;
import java.time.Duration;
import java.util.Map;

/**
 * A connection to an AMQP 0-9-1 broker, from which channels are opened.
 *
 * <p>Thread-safe: every method may be called from any thread. One I/O thread reads from the socket
 * and never runs application code; listeners and consumers run on other threads.
 *
 * <pre>{@code
 * try (Connection connection = Connection.open("amqp://guest:guest@localhost:5672/")) {
 *   Channel channel = connection.openChannel();
 *   channel.basicPublish("", "hello", BasicProperties.EMPTY, "hi".getBytes(UTF_8));
 * }
 * }</pre>
 */
public interface Connection extends AutoCloseable {

  /**
   * Connects to the broker a URI names; see {@link ConnectionOptions#fromUri} for its rules.
   *
   * @throws IllegalArgumentException if the URI is malformed
   * @throws AuthenticationException if the broker refuses the login
   * @throws ConnectFailedException if no endpoint can be reached (the cause says why)
   * @throws AmqpTimeoutException if connecting takes longer than the connection timeout
   */
  static Connection open(String uri) {
    return open(ConnectionOptions.fromUri(uri));
  }

  /**
   * Connects, trying each endpoint in order, and completes the handshake. Blocks for at most the
   * connection timeout per endpoint.
   *
   * @throws AuthenticationException if the broker refuses the login
   * @throws ConnectFailedException if no endpoint can be reached; the suppressed exceptions hold
   *     each endpoint's failure
   * @throws ConnectionClosedException if the broker closes the connection during the handshake,
   *     e.g. 530 NOT_ALLOWED for a virtual host the user may not use
   */
  static Connection open(ConnectionOptions options) {
    return options.recovery().enabled()
        ? RecoveringConnection.open(options)
        : AmqpConnection.open(options);
  }

  /**
   * Opens a new channel, blocking until the broker confirms it.
   *
   * @throws AmqpException if all channel numbers up to the negotiated channel-max are in use
   * @throws ConnectionClosedException if the connection is closed
   */
  Channel openChannel();

  /** Whether the connection is open: not closed by anyone and not failed. */
  boolean isOpen();

  /** The endpoint this connection is connected to. */
  Endpoint endpoint();

  /** The broker's server properties from {@code connection.start}. */
  Map<String, Object> serverProperties();

  /** The negotiated highest channel number. */
  int channelMax();

  /** The negotiated largest frame, in bytes. */
  int frameMax();

  /** The negotiated heartbeat interval; zero when heartbeats are off. */
  Duration heartbeat();

  /** Adds a listener for close, blocked and unblocked events. */
  void addListener(ConnectionListener listener);

  /** Whether the broker has blocked publishing on this connection ({@code connection.blocked}). */
  boolean isBlocked();

  /**
   * Replaces the credential of an open connection ({@code connection.update-secret}), e.g. a
   * refreshed OAuth 2 token. Blocks until the broker accepts it.
   */
  void updateSecret(String newSecret, String reason);

  /**
   * Closes the connection and all its channels, waiting at most the close timeout for the broker to
   * confirm. Idempotent; never throws for a connection that is already closed.
   */
  @Override
  void close();

  /** Why the connection closed, or {@code null} while it is open. */
  ConnectionClosedException closeCause();
}
