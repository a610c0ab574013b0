package dev.amqpkit.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A TLS terminator on a loopback port that forwards each connection, in plain text, to a target: a
 * TLS listener in front of a real broker, without reconfiguring the broker.
 *
 * <p>Threads are daemons and end when either side closes or the proxy is closed.
 */
public final class TlsProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptor;

  private TlsProxy(ServerSocket server, String targetHost, int targetPort) {
    this.server = server;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.acceptor = new Thread(this::acceptLoop, "amqpkit-tls-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * Starts a proxy on a free loopback port, serving TLS with this context, forwarding to target.
   */
  public static TlsProxy start(SSLContext serverContext, String targetHost, int targetPort)
      throws IOException {
    ServerSocket server = serverContext.getServerSocketFactory().createServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return new TlsProxy(server, targetHost, targetPort);
  }

  /** The port the proxy listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** How many connections the proxy has accepted (TLS handshake or not). */
  public int accepted() {
    return accepted.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        accepted.incrementAndGet();
        sockets.add(client);
        Socket target = new Socket(targetHost, targetPort);
        sockets.add(target);
        pump(client, target, "up");
        pump(target, client, "down");
      } catch (IOException e) {
        if (server.isClosed()) return;
      }
    }
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException ignored) {
                // Either side went away: close both below.
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "amqpkit-tls-proxy-" + direction);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    closeQuietly(server);
    for (Socket socket : sockets) closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Nothing more to release.
    }
  }
}
