package dev.amqpkit.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import javax.net.ssl.SSLContext;

/**
 * A TLS terminator on a loopback port that forwards each connection, in plain text, to a target: a
 * TLS listener in front of a real broker, without reconfiguring the broker.
 *
 * <p>Threads are daemons and end when either side closes or the proxy is closed.
 */
public final class TlsProxy implements AutoCloseable {
  private final FaultProxy proxy;

  private TlsProxy(FaultProxy proxy) {
    this.proxy = proxy;
  }

  /**
   * Starts a proxy on a free loopback port, serving TLS with this context, forwarding to target.
   */
  public static TlsProxy start(SSLContext serverContext, String targetHost, int targetPort)
      throws IOException {
    ServerSocket server = serverContext.getServerSocketFactory().createServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return new TlsProxy(new FaultProxy(server, targetHost, targetPort, "amqpkit-tls-proxy"));
  }

  /** The port the proxy listens on. */
  public int port() {
    return proxy.port();
  }

  /** How many connections the proxy has accepted (TLS handshake or not). */
  public int accepted() {
    return proxy.accepted();
  }

  @Override
  public void close() {
    proxy.close();
  }
}
