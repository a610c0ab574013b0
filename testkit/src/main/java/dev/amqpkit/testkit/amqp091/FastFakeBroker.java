package dev.amqpkit.testkit.amqp091;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A fake AMQP 0-9-1 broker that answers as fast as it can, for measuring a client alone: it takes
 * any login, opens channels, declares whatever is asked (answering declare-ok), swallows publishes,
 * and in confirm mode acknowledges them with {@code multiple} each time its input runs dry. It
 * routes and stores nothing.
 *
 * <p>Run it in its own process so that its CPU is not counted as the client's: {@code java -cp
 * amqpkit-testkit.jar dev.amqpkit.testkit.amqp091.FastFakeBroker} prints {@code port N} and serves
 * until its standard input ends (its parent exiting closes it). One thread per connection.
 */
public final class FastFakeBroker implements AutoCloseable {
  private static final int FRAME_MAX = 131_072;

  private final ServerSocket server;
  private final Thread acceptor;

  private FastFakeBroker(ServerSocket server) {
    this.server = server;
    this.acceptor = new Thread(this::acceptLoop, "fast-fake-broker");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts on a free loopback port. */
  public static FastFakeBroker start() throws IOException {
    return new FastFakeBroker(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  public int port() {
    return server.getLocalPort();
  }

  /**
   * Serves until standard input ends: the process that started it closes the pipe when it exits,
   * however it exits, so the fake broker never outlives it.
   */
  public static void main(String[] args) throws Exception {
    FastFakeBroker broker = start();
    System.out.println("port " + broker.port());
    System.out.flush();
    while (System.in.read() >= 0) {
      // Wait for the parent's end.
    }
    broker.close();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        Thread t = new Thread(() -> serve(socket), "fast-fake-broker-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** Per-connection state; owned by its thread. */
  private static final class Session {
    final InputStream in;
    final OutputStream out;
    final byte[] buffer = new byte[1 << 20];
    int start;
    int end;
    final Set<Integer> confirming = new HashSet<>();
    final long[] published = new long[65536];
    final long[] acked = new long[65536];
    final Set<Integer> dirty = new HashSet<>();
    long contentRemaining;
    boolean expectHeader;

    Session(Socket socket) throws IOException {
      in = socket.getInputStream();
      out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      Session s = new Session(socket);
      byte[] header = s.in.readNBytes(8);
      if (header.length < 8) return;
      s.out.write(
          Frame.method(
                  0,
                  10,
                  10,
                  Arguments.create()
                      .octet(0)
                      .octet(9)
                      .table(
                          Map.of(
                              "product",
                              "FastFakeBroker",
                              "capabilities",
                              Map.of("publisher_confirms", true, "basic.nack", true)))
                      .longString("PLAIN AMQPLAIN")
                      .longString("en_US"))
              .toByteArray());
      s.out.flush();
      while (true) {
        if (s.start == s.end) {
          // Input ran dry: confirm everything published so far, then block for more.
          flushAcks(s);
          s.out.flush();
        }
        if (!frame(s)) return;
      }
    } catch (IOException e) {
      // The client went away.
    }
  }

  private static void flushAcks(Session s) throws IOException {
    for (int channel : s.dirty) {
      long upTo = s.published[channel];
      if (upTo > s.acked[channel]) {
        write(s, channel, 60, 80, Arguments.create().longLong(upTo).bit(true));
        s.acked[channel] = upTo;
      }
    }
    s.dirty.clear();
  }

  /** Reads and handles one frame; false when the connection ends. */
  private boolean frame(Session s) throws IOException {
    if (!fill(s, 7)) return false;
    byte[] b = s.buffer;
    int type = b[s.start] & 0xFF;
    int channel = ((b[s.start + 1] & 0xFF) << 8) | (b[s.start + 2] & 0xFF);
    int size =
        ((b[s.start + 3] & 0xFF) << 24)
            | ((b[s.start + 4] & 0xFF) << 16)
            | ((b[s.start + 5] & 0xFF) << 8)
            | (b[s.start + 6] & 0xFF);
    if (size < 0 || size + 8 > FRAME_MAX) throw new IOException("frame too large: " + size);
    if (!fill(s, 8 + size)) return false;
    int payload = s.start + 7;
    s.start += 8 + size;
    switch (type) {
      case Frame.METHOD -> {
        int classId = ((b[payload] & 0xFF) << 8) | (b[payload + 1] & 0xFF);
        int methodId = ((b[payload + 2] & 0xFF) << 8) | (b[payload + 3] & 0xFF);
        return method(s, channel, classId, methodId, b, payload + 4, size - 4);
      }
      case Frame.HEADER -> {
        long bodySize = 0;
        for (int i = 0; i < 8; i++) bodySize = (bodySize << 8) | (b[payload + 4 + i] & 0xFF);
        s.expectHeader = false;
        s.contentRemaining = bodySize;
        if (bodySize == 0) published(s, channel);
      }
      case Frame.BODY -> {
        s.contentRemaining -= size;
        if (s.contentRemaining <= 0) published(s, channel);
      }
      default -> {
        // Heartbeats and anything else are ignored.
      }
    }
    return true;
  }

  private static void published(Session s, int channel) {
    if (s.confirming.contains(channel)) {
      s.published[channel]++;
      s.dirty.add(channel);
    }
  }

  private boolean method(
      Session s, int channel, int classId, int methodId, byte[] b, int args, int length)
      throws IOException {
    switch ((classId << 16) | methodId) {
      case (10 << 16) | 11 ->
          write(s, 0, 10, 30, Arguments.create().shortUint(2047).longUint(FRAME_MAX).shortUint(0));
      case (10 << 16) | 31 -> {} // tune-ok
      case (10 << 16) | 40 -> write(s, 0, 10, 41, Arguments.create().shortString(""));
      case (10 << 16) | 50 -> {
        write(s, 0, 10, 51, Arguments.create());
        s.out.flush();
        return false;
      }
      case (20 << 16) | 10 -> write(s, channel, 20, 11, Arguments.create().longString(new byte[0]));
      case (20 << 16) | 40 -> {
        s.confirming.remove(channel);
        s.published[channel] = 0;
        s.acked[channel] = 0;
        write(s, channel, 20, 41, Arguments.create());
      }
      case (85 << 16) | 10 -> {
        s.confirming.add(channel);
        write(s, channel, 85, 11, Arguments.create());
      }
      case (50 << 16) | 10 -> {
        int nameLength = b[args + 2] & 0xFF;
        String name = new String(b, args + 3, nameLength, StandardCharsets.UTF_8);
        write(
            s,
            channel,
            50,
            11,
            Arguments.create()
                .shortString(name.isEmpty() ? "amq.gen-fake" : name)
                .longUint(0)
                .longUint(0));
      }
      case (50 << 16) | 40 -> write(s, channel, 50, 41, Arguments.create().longUint(0));
      case (60 << 16) | 10 -> write(s, channel, 60, 11, Arguments.create());
      case (60 << 16) | 40 -> s.expectHeader = true; // basic.publish: content follows
      default -> {
        // Not needed for measuring publishers: ignored.
      }
    }
    return true;
  }

  private static void write(Session s, int channel, int classId, int methodId, Arguments args)
      throws IOException {
    s.out.write(Frame.method(channel, classId, methodId, args).toByteArray());
  }

  private static boolean fill(Session s, int n) throws IOException {
    if (s.end - s.start >= n) return true;
    if (s.start + n > s.buffer.length) {
      System.arraycopy(s.buffer, s.start, s.buffer, 0, s.end - s.start);
      s.end -= s.start;
      s.start = 0;
    }
    while (s.end - s.start < n) {
      if (s.end - s.start > 0 && s.in.available() == 0) {
        // About to block mid-frame: let confirms go out first.
        flushAcks(s);
        s.out.flush();
      }
      int read = s.in.read(s.buffer, s.end, s.buffer.length - s.end);
      if (read < 0) {
        if (s.end == s.start) return false;
        throw new EOFException("connection ended mid-frame");
      }
      s.end += read;
    }
    return true;
  }
}
