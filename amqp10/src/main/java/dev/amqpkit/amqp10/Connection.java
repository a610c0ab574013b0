package dev.amqpkit.amqp10;

import dev.amqpkit.amqp10.internal.engine.RecoveringConnection;
import dev.amqpkit.amqp10.types.Symbol;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An AMQP 1.0 connection: the socket, the login, and the {@code open} both sides exchanged.
 *
 * <p>Thread-safe. The connection reads on a thread of its own and never runs application code
 * there; listeners run on a callback thread.
 */
public interface Connection extends AutoCloseable {

  /**
   * Connects with the options a URI gives; see {@link ConnectionOptions#fromUri}.
   *
   * @throws IllegalArgumentException if the URI is malformed
   * @throws AuthenticationException if the peer refused the login
   * @throws ConnectFailedException if no endpoint could be reached
   * @throws TlsException if the TLS handshake failed
   * @throws AmqpTimeoutException if connecting took longer than the connect timeout
   * @throws ConnectionClosedException if the peer closed the connection as it opened
   */
  static Connection open(String uri) {
    return open(ConnectionOptions.fromUri(uri));
  }

  /**
   * Connects to the first endpoint that answers, logs in and exchanges {@code open}, within the
   * connect timeout. Throws as {@link #open(String)}: the first connection is not retried.
   *
   * <p>Unless {@link ConnectionOptions#recovery()} is disabled, the connection heals itself: after
   * a failure it connects again, begins its sessions and attaches their links again, and sends
   * again what awaited an outcome. The {@link Session}, {@link Sender} and {@link Receiver} objects
   * stay the same throughout.
   */
  static Connection open(ConnectionOptions options) {
    return RecoveringConnection.open(options);
  }

  /** This side's container id. */
  String containerId();

  /** The peer's container id, from its {@code open}. */
  String remoteContainerId();

  /** The peer's connection properties; empty when it sent none. */
  Map<Symbol, Object> remoteProperties();

  /** The capabilities the peer offered; empty when none. */
  List<Symbol> remoteOfferedCapabilities();

  /** The largest frame this connection sends: the smaller of the two sides' limits. */
  int maxFrameSize();

  /** How long the peer lets this side stay silent, or null when it set no limit. */
  Duration remoteIdleTimeout();

  /**
   * Begins a session with {@link SessionOptions#DEFAULTS} and waits, at most the request timeout,
   * for the peer's {@code begin}.
   *
   * @throws ConnectionClosedException if the connection is closed
   * @throws AmqpTimeoutException if the peer did not answer within the request timeout
   * @throws AmqpException if every channel the two sides allow is in use
   */
  default Session openSession() {
    return openSession(SessionOptions.DEFAULTS);
  }

  /** Begins a session with these options; otherwise as {@link #openSession()}. */
  Session openSession(SessionOptions options);

  boolean isOpen();

  /** Why the connection closed, or null while it is open. */
  ConnectionClosedException closeCause();

  /** Adds a listener for the close; added after the close, it is called at once. */
  void addListener(ConnectionListener listener);

  /**
   * Closes the connection: sends {@code close} and waits, at most the close timeout, for the
   * peer's. Idempotent. Never throws for a connection that is already closed.
   */
  @Override
  void close();

  /** Closes the connection with an error for the peer; otherwise as {@link #close()}. */
  void close(AmqpError error);
}
