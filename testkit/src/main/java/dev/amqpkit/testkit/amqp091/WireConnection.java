package dev.amqpkit.testkit.amqp091;

import dev.amqpkit.testkit.BrokerEndpoint;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A minimal AMQP 0-9-1 connection that speaks frame by frame: the handshake with SASL PLAIN, then
 * one synchronous method call at a time. Fixtures use it to set up and inspect a broker
 * independently of the client under test.
 *
 * <p>Every read is bounded by the timeout given at open. Not thread-safe: one caller at a time.
 */
public final class WireConnection implements Closeable {
  /** The frame-max this connection asks for, and the largest frame it accepts. */
  public static final int FRAME_MAX = 131_072;

  private static final int CONNECTION_CLASS = 10;
  private static final int CHANNEL_CLASS = 20;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String where;
  private ConnectionStart start;
  private int channelMax;
  private long frameMax = FRAME_MAX;

  private WireConnection(Socket socket, String where) throws IOException {
    this.socket = socket;
    this.where = where;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /**
   * Sends the protocol header and returns the broker's {@code connection.start}, then closes the
   * socket. This is the cheapest proof that an AMQP 0-9-1 broker answers at an address.
   *
   * @throws IOException if nothing listens, the peer is silent for longer than {@code timeout}, or
   *     what answers is not an AMQP 0-9-1 broker; the message says which
   */
  public static ConnectionStart probe(String host, int port, Duration timeout) throws IOException {
    try (Socket socket = connect(host, port, timeout)) {
      return new WireConnection(socket, host + ":" + port).readStart();
    }
  }

  /**
   * Connects and completes the handshake: PLAIN login, tune (frame-max {@value #FRAME_MAX}, no
   * heartbeats), and {@code connection.open} of the virtual host.
   *
   * @throws BrokerCloseException if the broker refuses the login or the virtual host
   * @throws IOException if the connection fails or the broker is silent for longer than {@code
   *     timeout}
   */
  public static WireConnection open(
      String host, int port, String username, String password, String virtualHost, Duration timeout)
      throws IOException {
    Socket socket = connect(host, port, timeout);
    try {
      WireConnection connection = new WireConnection(socket, host + ":" + port);
      connection.start = connection.readStart();
      connection.handshake(username, password, virtualHost);
      return connection;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** {@link #open(String, int, String, String, String, Duration)} for an endpoint. */
  public static WireConnection open(BrokerEndpoint endpoint, Duration timeout) throws IOException {
    return open(
        endpoint.host(),
        endpoint.port(),
        endpoint.username(),
        endpoint.password(),
        endpoint.virtualHost(),
        timeout);
  }

  private static Socket connect(String host, int port, Duration timeout) throws IOException {
    Objects.requireNonNull(host, "host == null");
    int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), millis);
      socket.setSoTimeout(millis);
      socket.setTcpNoDelay(true);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw new IOException("cannot connect to " + host + ":" + port + " (" + describe(e) + ")", e);
    }
  }

  private ConnectionStart readStart() throws IOException {
    out.write(Frame.PROTOCOL_HEADER);
    out.flush();
    Frame frame;
    try {
      in.mark(8);
      byte[] first = in.readNBytes(8);
      if (first.length >= 4 && Arrays.equals(first, 0, 4, Frame.PROTOCOL_HEADER, 0, 4)) {
        throw new IOException(
            where
                + " refused AMQP 0-9-1 and answered with the protocol header of version "
                + (first.length == 8 ? first[5] + "-" + first[6] + "-" + first[7] : "(truncated)"));
      }
      in.reset();
      frame = Frame.readFrom(in, FRAME_MAX);
    } catch (SocketTimeoutException e) {
      throw new IOException(where + " accepted the connection but sent nothing", e);
    } catch (EOFException e) {
      throw new IOException(where + " closed the connection before connection.start", e);
    } catch (FrameFormatException e) {
      throw new IOException(where + " is not an AMQP 0-9-1 broker: " + e.getMessage(), e);
    }
    if (!frame.isMethod(CONNECTION_CLASS, 10)) {
      throw new IOException(where + " answered with " + frame + ", not connection.start");
    }
    return ConnectionStart.decode(frame);
  }

  private void handshake(String username, String password, String virtualHost) throws IOException {
    byte[] response = ("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8);
    Map<String, Object> clientProperties =
        Map.of(
            "product",
            "amqpkit-testkit",
            "capabilities",
            Map.of("authentication_failure_close", true));
    send(
        Frame.method(
            0,
            CONNECTION_CLASS,
            11,
            Arguments.create()
                .table(clientProperties)
                .shortString("PLAIN")
                .longString(response)
                .shortString("en_US")));
    Frame tune = await(0, CONNECTION_CLASS, 30);
    ArgumentReader args = tune.arguments();
    int serverChannelMax = args.shortUint();
    long serverFrameMax = args.longUint();
    channelMax = serverChannelMax == 0 ? 0xFFFF : serverChannelMax;
    frameMax = serverFrameMax == 0 ? FRAME_MAX : Math.min(serverFrameMax, FRAME_MAX);
    send(
        Frame.method(
            0,
            CONNECTION_CLASS,
            31,
            Arguments.create().shortUint(channelMax).longUint(frameMax).shortUint(0)));
    send(
        Frame.method(
            0,
            CONNECTION_CLASS,
            40,
            Arguments.create().shortString(virtualHost).shortString("").bit(false)));
    await(0, CONNECTION_CLASS, 41);
  }

  /** What the broker said in {@code connection.start}. */
  public ConnectionStart start() {
    return start;
  }

  /** The negotiated channel-max. */
  public int channelMax() {
    return channelMax;
  }

  /** The negotiated frame-max. */
  public long frameMax() {
    return frameMax;
  }

  /** Opens a channel. */
  public void openChannel(int channel) throws IOException {
    call(channel, CHANNEL_CLASS, 10, Arguments.create().shortString(""), 11);
  }

  /** Closes a channel normally and waits for {@code channel.close-ok}. */
  public void closeChannel(int channel) throws IOException {
    call(
        channel,
        CHANNEL_CLASS,
        40,
        Arguments.create().shortUint(200).shortString("Goodbye").shortUint(0).shortUint(0),
        41);
  }

  /**
   * Sends a method and waits for its reply on the same channel.
   *
   * @return the reply frame
   * @throws BrokerCloseException if the broker closes the channel or the connection instead
   */
  public Frame call(int channel, int classId, int methodId, Arguments arguments, int replyMethodId)
      throws IOException {
    send(Frame.method(channel, classId, methodId, arguments));
    return await(channel, classId, replyMethodId);
  }

  /** Sends one frame and flushes. */
  public void send(Frame frame) throws IOException {
    frame.writeTo(out);
    out.flush();
  }

  /**
   * Waits for a method on a channel, skipping heartbeats. A close of that channel or of the
   * connection is answered with its close-ok and thrown.
   */
  public Frame await(int channel, int classId, int methodId) throws IOException {
    while (true) {
      Frame frame = Frame.readFrom(in, (int) Math.max(frameMax, FRAME_MAX));
      if (frame.type() == Frame.HEARTBEAT) continue;
      if (frame.isMethod(CONNECTION_CLASS, 50)) {
        send(Frame.method(0, CONNECTION_CLASS, 51, Arguments.create()));
        socket.close();
        throw closeException(BrokerCloseException.Scope.CONNECTION, frame);
      }
      if (frame.channel() == channel && frame.isMethod(CHANNEL_CLASS, 40)) {
        send(Frame.method(channel, CHANNEL_CLASS, 41, Arguments.create()));
        throw closeException(BrokerCloseException.Scope.CHANNEL, frame);
      }
      if (frame.channel() == channel && frame.isMethod(classId, methodId)) return frame;
      throw new IOException(
          "expected method "
              + classId
              + "."
              + methodId
              + " on channel "
              + channel
              + ", got "
              + frame);
    }
  }

  private static BrokerCloseException closeException(BrokerCloseException.Scope scope, Frame frame)
      throws FrameFormatException {
    ArgumentReader args = frame.arguments();
    int code = args.shortUint();
    String text = args.shortString();
    return new BrokerCloseException(scope, code, text, args.shortUint(), args.shortUint());
  }

  /** Closes the connection politely, waiting for close-ok within the timeout; never throws. */
  @Override
  public void close() {
    if (socket.isClosed()) return;
    try {
      send(
          Frame.method(
              0,
              CONNECTION_CLASS,
              50,
              Arguments.create().shortUint(200).shortString("Goodbye").shortUint(0).shortUint(0)));
      while (true) {
        Frame frame = Frame.readFrom(in, (int) Math.max(frameMax, FRAME_MAX));
        if (frame.isMethod(CONNECTION_CLASS, 51)) break;
      }
    } catch (IOException ignored) {
      // The socket is closed below whatever the peer did.
    } finally {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Nothing left to release.
      }
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
