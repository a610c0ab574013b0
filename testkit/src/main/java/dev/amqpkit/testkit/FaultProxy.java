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

/**
 * A TCP proxy on a loopback port in front of a real broker, which a test uses to break the network
 * between client and broker: {@linkplain #cut() cut} every connection at once, {@linkplain #stall()
 * stall} them (bytes stop moving both ways while the sockets stay open, as when a link goes dark,
 * until {@link #resume()}), or {@linkplain #refuse(boolean) refuse} new connections.
 *
 * <p>Thread-safe. Threads are daemons and end when either side closes or the proxy is closed.
 */
public final class FaultProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final List<Pair> pairs = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Object stallLock = new Object();
  private boolean stalled; // guarded by stallLock
  private volatile boolean refusing;

  /** A client's socket and the one the proxy opened to the target for it. */
  private record Pair(Socket client, Socket target) {
    /** Ends both sides cleanly: what one side sent last (a TLS alert, say) still arrives. */
    void close() {
      closeQuietly(client);
      closeQuietly(target);
    }

    void abort() {
      FaultProxy.abort(client);
      FaultProxy.abort(target);
    }
  }

  FaultProxy(ServerSocket server, String targetHost, int targetPort, String name) {
    this.server = server;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    Thread acceptor = new Thread(this::acceptLoop, name + "-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy on a free loopback port, forwarding each connection to the target. */
  public static FaultProxy start(String targetHost, int targetPort) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return new FaultProxy(server, targetHost, targetPort, "amqpkit-fault-proxy");
  }

  /** The proxy's host: the loopback address. */
  public String host() {
    return server.getInetAddress().getHostAddress();
  }

  /** The port the proxy listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** How many connections the proxy has accepted, refused ones included. */
  public int accepted() {
    return accepted.get();
  }

  /** How many connections are open through the proxy now. */
  public int openConnections() {
    return (int) pairs.stream().filter(p -> !p.client.isClosed()).count();
  }

  /**
   * Resets every open connection, both sides, at once (an abortive close: the client reads a
   * connection reset, not a clean end). New connections are still accepted.
   *
   * @return how many connections were cut
   */
  public int cut() {
    int cut = 0;
    for (Pair pair : pairs) {
      if (!pair.client.isClosed()) cut++;
      pair.abort();
    }
    pairs.clear();
    return cut;
  }

  /**
   * Stops moving bytes in both directions on every connection, open or new, while keeping the
   * sockets open: a peer sees silence, as when the network goes dark. Until {@link #resume}.
   */
  public void stall() {
    synchronized (stallLock) {
      stalled = true;
    }
  }

  /** Moves bytes again after {@link #stall}, those held back first. */
  public void resume() {
    synchronized (stallLock) {
      stalled = false;
      stallLock.notifyAll();
    }
  }

  /**
   * Stalls every connection until {@code noticed} holds (its clients noticed the silence: missed
   * heartbeats, an idle timeout), looking every 10 ms for at most {@code within}; then cuts the
   * connections, so that what the stall held back goes nowhere, and moves bytes again.
   *
   * @throws IllegalStateException if {@code noticed} did not hold within {@code within}; the
   *     connections are cut and bytes move again all the same
   */
  public void stallUntil(java.util.function.BooleanSupplier noticed, java.time.Duration within)
      throws InterruptedException {
    stall();
    try {
      long deadline = System.nanoTime() + within.toNanos();
      while (!noticed.getAsBoolean()) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("the stall went unnoticed for " + within);
        }
        Thread.sleep(10);
      }
    } finally {
      cut();
      resume();
    }
  }

  /** While on, new connections are accepted and at once reset, as by a broker that is down. */
  public void refuse(boolean refuse) {
    this.refusing = refuse;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (server.isClosed()) return;
        continue;
      }
      accepted.incrementAndGet();
      if (refusing) {
        abort(client);
        continue;
      }
      try {
        Socket target = new Socket(targetHost, targetPort);
        // The proxy forwards what it reads at once: Nagle's delay would add tens of milliseconds
        // to every request and answer the clients under test already sent without delay.
        client.setTcpNoDelay(true);
        target.setTcpNoDelay(true);
        Pair pair = new Pair(client, target);
        pairs.add(pair);
        pump(pair, client, target, "up");
        pump(pair, target, client, "down");
      } catch (IOException e) {
        abort(client); // the target is down: the client sees a reset, as it would from it
      }
    }
  }

  private void pump(Pair pair, Socket from, Socket to, String direction) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  awaitNotStalled();
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException ignored) {
                // Either side went away, or the proxy closed: close both below.
              } finally {
                pair.close();
                pairs.remove(pair);
              }
            },
            "amqpkit-fault-proxy-" + direction);
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitNotStalled() throws InterruptedException {
    synchronized (stallLock) {
      while (stalled && !server.isClosed()) stallLock.wait(100);
    }
  }

  /** Closes the listener and every connection. */
  @Override
  public void close() {
    closeQuietly(server);
    cut();
    resume();
  }

  /** Closes with a reset rather than a clean end. */
  private static void abort(Socket socket) {
    try {
      if (!socket.isClosed()) socket.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // Closed meanwhile: nothing to reset.
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Nothing more to release.
    }
  }
}
