package dev.amqpkit.amqp10.internal.engine;

import dev.amqpkit.amqp10.AmqpError;
import dev.amqpkit.amqp10.AmqpException;
import dev.amqpkit.amqp10.AmqpTimeoutException;
import dev.amqpkit.amqp10.AuthenticationException;
import dev.amqpkit.amqp10.CloseInitiator;
import dev.amqpkit.amqp10.ConnectFailedException;
import dev.amqpkit.amqp10.Connection;
import dev.amqpkit.amqp10.ConnectionClosedException;
import dev.amqpkit.amqp10.ConnectionListener;
import dev.amqpkit.amqp10.ConnectionOptions;
import dev.amqpkit.amqp10.ConnectionOptions.Endpoint;
import dev.amqpkit.amqp10.ErrorConditions;
import dev.amqpkit.amqp10.ProtocolException;
import dev.amqpkit.amqp10.SaslMechanism;
import dev.amqpkit.amqp10.Session;
import dev.amqpkit.amqp10.SessionOptions;
import dev.amqpkit.amqp10.TlsException;
import dev.amqpkit.amqp10.internal.frames.AmqpFrame;
import dev.amqpkit.amqp10.internal.frames.EmptyFrame;
import dev.amqpkit.amqp10.internal.frames.Frame;
import dev.amqpkit.amqp10.internal.frames.FrameDecoder;
import dev.amqpkit.amqp10.internal.frames.FrameEncoder;
import dev.amqpkit.amqp10.internal.frames.FrameException;
import dev.amqpkit.amqp10.internal.frames.ProtocolHeader;
import dev.amqpkit.amqp10.internal.frames.SaslFrame;
import dev.amqpkit.amqp10.internal.protocol.Begin;
import dev.amqpkit.amqp10.internal.protocol.Close;
import dev.amqpkit.amqp10.internal.protocol.End;
import dev.amqpkit.amqp10.internal.protocol.Open;
import dev.amqpkit.amqp10.internal.protocol.SaslChallenge;
import dev.amqpkit.amqp10.internal.protocol.SaslCode;
import dev.amqpkit.amqp10.internal.protocol.SaslInit;
import dev.amqpkit.amqp10.internal.protocol.SaslMechanisms;
import dev.amqpkit.amqp10.internal.protocol.SaslOutcome;
import dev.amqpkit.amqp10.internal.protocol.SaslPerformative;
import dev.amqpkit.amqp10.internal.protocol.SaslResponse;
import dev.amqpkit.amqp10.internal.protocol.Transfer;
import dev.amqpkit.amqp10.types.Binary;
import dev.amqpkit.amqp10.types.Symbol;
import dev.amqpkit.common.internal.TlsSockets;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP 1.0 connection: connects, logs in, exchanges {@code open}, then reads frames on a thread
 * of its own, keeps the idle timeouts of both sides, and closes in either direction.
 *
 * <p>Threads: the reader thread owns the read buffer and the decoder; every frame goes through the
 * {@link FrameWriter}, whose flusher alone writes to the socket; the shared timer queues empty
 * frames and watches the peer's silence; listeners run on the shared event executor. The reader
 * never runs application code and never waits for room in the writer's queue; shutting down, it
 * waits for the writer to drain at most a second.
 */
public final class AmqpConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(AmqpConnection.class);
  private static final AtomicLong IDS = new AtomicLong();
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(daemon("amqpkit-amqp10-timer"));
  // Idle threads end after a few seconds: nothing to shut down, and nothing left after a burst.
  static final java.util.concurrent.ExecutorService EVENTS =
      new java.util.concurrent.ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          5,
          TimeUnit.SECONDS,
          new java.util.concurrent.SynchronousQueue<>(),
          daemon("amqpkit-amqp10-events"));

  private final long id = IDS.incrementAndGet();
  private final ConnectionOptions options;
  private final Endpoint endpoint;
  private final Socket socket;
  private final InputStream in;
  private final FrameWriter writer;
  private final FrameDecoder decoder;
  private final FrameEncoder encoder;
  private ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024).flip();

  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Close> peerClose = new CompletableFuture<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final Object closeLock = new Object();
  private volatile ConnectionClosedException closeCause;
  private volatile Consumer<ConnectionClosedException> closingHook;
  private final java.util.concurrent.atomic.AtomicBoolean closing =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long lastReadNanos = System.nanoTime();
  private volatile ScheduledFuture<?> idleTask;
  private Open remoteOpen;
  private int maxFrameSize;
  private Frame firstFrame; // read with the peer's open; the reader handles it first

  // Sessions by this side's channel and by the peer's; guarded by sessionLock.
  private final Object sessionLock = new Object();
  private SessionImpl[] byLocalChannel;
  private final Map<Integer, SessionImpl> byRemoteChannel = new java.util.HashMap<>();

  private AmqpConnection(ConnectionOptions options, Endpoint endpoint, Socket socket)
      throws IOException {
    this.options = options;
    this.endpoint = endpoint;
    this.socket = socket;
    this.in = socket.getInputStream();
    this.writer =
        new FrameWriter(
            socket.getOutputStream(),
            "amqpkit-amqp10-writer-" + id,
            options.requestTimeout(),
            this::socketFailed);
    this.decoder = new FrameDecoder(options.maxFrameSize());
    this.encoder = new FrameEncoder(ConnectionOptions.MIN_MAX_FRAME_SIZE);
  }

  /** Connects to the first endpoint that answers; see {@link Connection#open}. */
  public static AmqpConnection open(ConnectionOptions options) {
    List<Exception> failures = new ArrayList<>();
    StringBuilder tried = new StringBuilder();
    for (Endpoint endpoint : options.endpoints()) {
      try {
        return connect(options, endpoint);
      } catch (IOException | AmqpTimeoutException | TlsException e) {
        failures.add(e);
        tried
            .append(tried.length() == 0 ? "" : "; ")
            .append(endpoint)
            .append(": ")
            .append(describe(e));
      }
    }
    if (failures.size() == 1 && failures.get(0) instanceof AmqpException single) throw single;
    ConnectFailedException failed =
        new ConnectFailedException(
            "could not connect to " + (failures.size() == 1 ? "" : "any of ") + tried,
            failures.get(failures.size() - 1));
    for (Exception e : failures) failed.addSuppressed(e);
    throw failed;
  }

  private static AmqpConnection connect(ConnectionOptions options, Endpoint endpoint)
      throws IOException {
    long deadline = System.nanoTime() + options.connectTimeout().toNanos();
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(
          new InetSocketAddress(endpoint.host(), endpoint.port()),
          (int) Math.max(1, options.connectTimeout().toMillis()));
      socket.setSoTimeout(remainingMillis(deadline)); // bounds the TLS handshake too
      if (options.tls()) socket = startTls(socket, options, endpoint);
      AmqpConnection connection = new AmqpConnection(options, endpoint, socket);
      try {
        connection.handshake(deadline);
        socket.setSoTimeout(0);
      } catch (IOException | RuntimeException e) {
        // Let a close frame already queued go out, and end the writer's thread.
        connection.writer.drainAndClose(100);
        throw e;
      }
      connection.start();
      return connection;
    } catch (SocketTimeoutException e) {
      closeQuietly(socket);
      throw new AmqpTimeoutException(
          "connecting to " + endpoint + " took longer than " + options.connectTimeout());
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  private static Socket startTls(Socket plain, ConnectionOptions options, Endpoint endpoint)
      throws IOException {
    try {
      return TlsSockets.handshake(
          plain,
          options.sslContext(),
          tlsHost(options, endpoint),
          endpoint.port(),
          options.verifyHostname());
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (SSLException e) {
      TlsSockets.Failure failure = TlsSockets.classify(e);
      throw new TlsException(
          TlsException.Problem.valueOf(failure.name()),
          TlsSockets.describe(failure, endpoint.toString(), tlsHost(options, endpoint), e),
          e);
    }
  }

  private static String tlsHost(ConnectionOptions options, Endpoint endpoint) {
    return options.serverHostname() != null ? options.serverHostname() : endpoint.host();
  }

  // ---- the handshake, on the caller's thread ----

  private void handshake(long deadline) throws IOException {
    try {
      if (options.saslMechanism() != SaslMechanism.NONE) login(deadline);
      writeRaw(ProtocolHeader.AMQP.toByteArray());
      expectHeader(ProtocolHeader.AMQP, deadline, "the AMQP header");
      String hostname = options.hostname() != null ? options.hostname() : endpoint.host();
      Duration idle = options.idleTimeout();
      Open open =
          new Open(
              options.containerId(),
              hostname,
              options.maxFrameSize(),
              options.channelMax(),
              idle.isZero() ? null : idle.toMillis(),
              null,
              null,
              null,
              null,
              options.properties().isEmpty() ? null : options.properties());
      writeRaw(frame(0, open, null));
      Frame first = readFrame(deadline, "the peer's open");
      if (!(first instanceof AmqpFrame f) || !(f.performative() instanceof Open peer)) {
        if (first instanceof AmqpFrame other && other.performative() instanceof Close close) {
          throw closedByPeer(close, "as the connection opened");
        }
        throw protocolError(
            ErrorConditions.CONNECTION_FRAMING_ERROR, "expected open, received " + name(first));
      }
      if (peer.maxFrameSize() < ConnectionOptions.MIN_MAX_FRAME_SIZE) {
        throw protocolError(
            ErrorConditions.INVALID_FIELD,
            "the peer's max-frame-size " + peer.maxFrameSize() + " is below the minimum of 512");
      }
      remoteOpen = peer;
      maxFrameSize =
          (int) Math.min(options.maxFrameSize(), Math.min(peer.maxFrameSize(), Integer.MAX_VALUE));
      encoder.maxFrameSize(maxFrameSize);
      byLocalChannel = new SessionImpl[Math.min(options.channelMax(), peer.channelMax()) + 1];
      // A peer refusing the open sends open and close at once: refuse here, not later. Any other
      // frame already read is the reader's first.
      Frame next = decoder.decode(readBuffer);
      while (next instanceof EmptyFrame) next = decoder.decode(readBuffer);
      if (next instanceof AmqpFrame g && g.performative() instanceof Close close) {
        throw closedByPeer(close, "right after its open");
      }
      firstFrame = next;
    } catch (FrameException e) {
      throw protocolError(e.condition(), e.getMessage());
    }
  }

  private void login(long deadline) throws IOException {
    SaslMechanism mechanism = options.saslMechanism();
    writeRaw(ProtocolHeader.SASL.toByteArray());
    expectHeader(ProtocolHeader.SASL, deadline, "the SASL header");
    SaslPerformative offer = readSasl(deadline, "sasl-mechanisms");
    if (!(offer instanceof SaslMechanisms mechanisms)) {
      throw new IOException(endpoint + " sent " + name(offer) + " where sasl-mechanisms belongs");
    }
    List<Symbol> offered =
        mechanisms.saslServerMechanisms() == null ? List.of() : mechanisms.saslServerMechanisms();
    if (!offered.contains(Symbol.valueOf(mechanism.name()))) {
      throw new AuthenticationException(
          endpoint + " does not offer SASL " + mechanism + " (it offers: " + offered + ")", -1);
    }
    String hostname = options.hostname() != null ? options.hostname() : endpoint.host();
    writeRaw(
        saslFrame(new SaslInit(Symbol.valueOf(mechanism.name()), initialResponse(), hostname)));
    while (true) {
      SaslPerformative reply = readSasl(deadline, "sasl-outcome");
      if (reply instanceof SaslOutcome outcome) {
        if (outcome.code() == SaslCode.OK) return;
        String data =
            outcome.additionalData() == null
                ? ""
                : ": " + new String(outcome.additionalData().toByteArray(), StandardCharsets.UTF_8);
        throw new AuthenticationException(
            endpoint
                + " refused the login "
                + who()
                + " with sasl-outcome "
                + outcome.code()
                + " ("
                + outcome.code().ordinal()
                + ")"
                + data,
            outcome.code().ordinal());
      } else if (reply instanceof SaslChallenge && mechanism == SaslMechanism.XOAUTH2) {
        // XOAUTH2 reports a refused token as a challenge; the client answers with one 0x01 byte
        // and the outcome follows.
        writeRaw(saslFrame(new SaslResponse(Binary.wrap(new byte[] {1}))));
      } else {
        throw new IOException(endpoint + " sent " + name(reply) + " during SASL " + mechanism);
      }
    }
  }

  private String who() {
    return switch (options.saslMechanism()) {
      case PLAIN, XOAUTH2 -> "of user '" + options.username() + "'";
      case EXTERNAL -> "with the client's TLS certificate (SASL EXTERNAL)";
      default -> "(SASL " + options.saslMechanism() + ")";
    };
  }

  private Binary initialResponse() {
    return switch (options.saslMechanism()) {
      case PLAIN ->
          Binary.wrap(
              ("\0" + options.username() + "\0" + options.password())
                  .getBytes(StandardCharsets.UTF_8));
      case XOAUTH2 ->
          Binary.wrap(
              ("user="
                      + options.username()
                      + "\u0001auth=Bearer "
                      + options.bearerToken()
                      + "\u0001\u0001")
                  .getBytes(StandardCharsets.UTF_8));
      // The identity is the certificate's; an empty response asks for no other. RabbitMQ 3.10's
      // AMQP 1.0 plugin refuses a sasl-init for EXTERNAL without one.
      case EXTERNAL -> Binary.EMPTY;
      default -> null;
    };
  }

  private void expectHeader(ProtocolHeader expected, long deadline, String what)
      throws IOException {
    fill(ProtocolHeader.SIZE, deadline, what);
    ProtocolHeader header;
    try {
      header = ProtocolHeader.read(readBuffer);
    } catch (FrameException e) {
      throw new IOException(endpoint + ": " + e.getMessage());
    }
    if (header != expected) {
      throw new IOException(
          endpoint
              + " answered the "
              + expected
              + " header with the "
              + header
              + " header"
              + (expected == ProtocolHeader.SASL
                  ? ": it does not use SASL (SaslMechanism.NONE)"
                  : ""));
    }
  }

  private SaslPerformative readSasl(long deadline, String what) throws IOException {
    Frame frame = readFrame(deadline, what);
    if (frame instanceof SaslFrame sasl) return sasl.performative();
    throw new IOException(endpoint + " sent " + name(frame) + " where " + what + " belongs");
  }

  private Frame readFrame(long deadline, String what) throws IOException {
    while (true) {
      Frame frame = decoder.decode(readBuffer);
      if (frame instanceof EmptyFrame) continue;
      if (frame != null) return frame;
      fill(Math.max(readBuffer.remaining() + 1, decoder.bytesNeeded()), deadline, what);
    }
  }

  /** Reads until at least {@code n} bytes are buffered; during the handshake, by the deadline. */
  private void fill(int n, long deadline, String what) throws IOException {
    if (readBuffer.capacity() < n) {
      ByteBuffer bigger = ByteBuffer.allocate(n);
      bigger.put(readBuffer).flip();
      readBuffer = bigger;
    }
    while (readBuffer.remaining() < n) {
      if (deadline != 0) socket.setSoTimeout(remainingMillis(deadline));
      readBuffer.compact();
      int read;
      try {
        read = in.read(readBuffer.array(), readBuffer.position(), readBuffer.remaining());
      } finally {
        readBuffer.flip();
      }
      if (read < 0) {
        throw new EOFException(
            deadline == 0
                ? "the peer closed the socket"
                : endpoint + " closed the socket while this client waited for " + what);
      }
      readBuffer.limit(readBuffer.limit() + read);
      lastReadNanos = System.nanoTime();
    }
  }

  // ---- the open connection ----

  private void start() {
    Thread reader = new Thread(this::readLoop, "amqpkit-amqp10-reader-" + id + "-" + endpoint);
    reader.setDaemon(true);
    reader.start();
    long ours = options.idleTimeout().toMillis();
    long theirs = remoteOpen.idleTimeOut() == null ? 0 : remoteOpen.idleTimeOut();
    long period =
        Math.min(ours == 0 ? Long.MAX_VALUE : ours / 2, theirs == 0 ? Long.MAX_VALUE : theirs / 2);
    if (period != Long.MAX_VALUE) {
      idleTask =
          TIMER.scheduleAtFixedRate(
              () -> idleTick(ours, theirs), period, Math.max(1, period), TimeUnit.MILLISECONDS);
    }
  }

  private void readLoop() {
    try {
      while (true) {
        Frame frame = firstFrame != null ? firstFrame : decoder.decode(readBuffer);
        firstFrame = null;
        if (frame == null) {
          fill(Math.max(readBuffer.remaining() + 1, decoder.bytesNeeded()), 0, "frames");
          continue;
        }
        if (frame instanceof EmptyFrame) continue;
        if (frame instanceof AmqpFrame f && f.performative() instanceof Close close) {
          if (!closing.get()) {
            writeQuietly(frame(0, new Close(null), null));
            shutdown(closedByPeer(close, ""));
          }
          peerClose.complete(close);
          return;
        }
        if (frame instanceof AmqpFrame f && dispatch(f)) continue;
        throw protocolError(
            ErrorConditions.NOT_ALLOWED,
            "unexpected "
                + name(frame)
                + (frame instanceof AmqpFrame f ? " on channel " + f.channel() : "")
                + ": no session of this client takes it");
      }
    } catch (FrameException e) {
      failWithProtocolError(e.condition(), e.getMessage());
    } catch (ProtocolException e) {
      shutdown(e);
    } catch (IOException e) {
      socketFailed(e); // the socket failed: reading or writing, it is the same cause
    } catch (RuntimeException e) {
      log.error("connection {}: internal error in the reader", id, e);
      shutdown(
          new ConnectionClosedException("internal error: " + e, null, CloseInitiator.CLIENT, e));
    } finally {
      peerClose.complete(null);
    }
  }

  /**
   * Hands a session's frame to its session; returns false for a frame no session takes. Reader
   * thread only.
   */
  private boolean dispatch(AmqpFrame frame) {
    int channel = frame.channel();
    Object p = frame.performative();
    if (p instanceof Begin begin) {
      if (begin.remoteChannel() == null) {
        throw protocolError(
            ErrorConditions.NOT_ALLOWED,
            "the peer began a session on channel "
                + channel
                + "; this client takes only sessions it began");
      }
      SessionImpl session;
      synchronized (sessionLock) {
        int local = begin.remoteChannel();
        session = local < byLocalChannel.length ? byLocalChannel[local] : null;
        if (session == null || byRemoteChannel.containsValue(session)) {
          throw protocolError(
              ErrorConditions.NOT_ALLOWED,
              "begin for channel " + local + ", where no session waits for one");
        }
        if (byRemoteChannel.containsKey(channel)) {
          throw protocolError(
              ErrorConditions.NOT_ALLOWED, "begin on channel " + channel + ", which is in use");
        }
        byRemoteChannel.put(channel, session);
      }
      session.peerBegan(begin);
      return true;
    }
    SessionImpl session;
    synchronized (sessionLock) {
      session = byRemoteChannel.get(channel);
    }
    if (session == null) return false;
    if (p instanceof End end) {
      if (session.peerEnded(end)) sendQuietly(session.channel(), new End(null));
      synchronized (sessionLock) {
        byRemoteChannel.remove(channel);
        byLocalChannel[session.channel()] = null;
      }
      session.endComplete(end);
      return true;
    }
    return session.handle(frame.performative(), frame.payload());
  }

  private void failWithProtocolError(Symbol condition, String message) {
    shutdown(protocolError(condition, message));
  }

  private ProtocolException protocolError(Symbol condition, String message) {
    dev.amqpkit.amqp10.internal.protocol.Error error =
        new dev.amqpkit.amqp10.internal.protocol.Error(condition, message, null);
    writeQuietly(frame(0, new Close(error), null));
    return new ProtocolException("closed " + endpoint + ": " + message, publicError(error), null);
  }

  private ConnectionClosedException closedByPeer(Close close, String when) {
    AmqpError error = close.error() == null ? null : publicError(close.error());
    return new ConnectionClosedException(
        endpoint
            + " closed the connection"
            + (when.isEmpty() ? "" : " " + when)
            + (error == null ? "" : ": " + error),
        error,
        CloseInitiator.PEER,
        null);
  }

  static AmqpError publicError(dev.amqpkit.amqp10.internal.protocol.Error e) {
    if (e == null) return null;
    return new AmqpError(e.condition(), e.description(), e.info() == null ? Map.of() : e.info());
  }

  static dev.amqpkit.amqp10.internal.protocol.Error wireError(AmqpError error) {
    return error == null
        ? null
        : new dev.amqpkit.amqp10.internal.protocol.Error(
            error.condition(), error.description(), error.info().isEmpty() ? null : error.info());
  }

  Duration closeTimeout() {
    return options.closeTimeout();
  }

  Duration requestTimeout() {
    return options.requestTimeout();
  }

  /** Runs a task on the shared timer; it must not block. */
  static ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
    return TIMER.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
  }

  /** How many frames a transfer of {@code payloadLength} bytes takes at this max-frame-size. */
  int framesOfTransfer(Transfer first, int payloadLength) {
    synchronized (encoder) {
      return encoder.framesOfTransfer(first, payloadLength);
    }
  }

  /**
   * Queues a delivery's transfer frames, encoded straight into the writer's buffer.
   *
   * @throws AmqpTimeoutException if there was no room within the request timeout; nothing was
   *     queued
   * @throws ConnectionClosedException if the connection is closed, or the write fails
   */
  void sendTransfer(int channel, Transfer first, byte[] payload) {
    ConnectionClosedException cause = closeCause;
    if (cause != null) throw cause;
    ByteBuffer source = ByteBuffer.wrap(payload);
    int size;
    synchronized (encoder) {
      size = encoder.sizeOfTransfer(first, payload.length);
    }
    try {
      writer.write(
          size,
          target -> {
            synchronized (encoder) {
              encoder.encodeTransfer(channel, first, source, target);
            }
          });
    } catch (FrameWriter.NoRoomException e) {
      throw new AmqpTimeoutException(
          "connection to " + endpoint + ": " + e.getMessage() + "; nothing was sent");
    } catch (IOException e) {
      socketFailed(e);
      throw closeCause;
    }
  }

  /**
   * Sends a performative on a channel.
   *
   * @throws ConnectionClosedException if the connection is closed, or the write fails (which closes
   *     it)
   */
  void send(int channel, dev.amqpkit.amqp10.internal.protocol.Performative performative) {
    ConnectionClosedException cause = closeCause;
    if (cause != null) throw cause;
    try {
      writeFrame(channel, performative, false);
    } catch (FrameWriter.NoRoomException e) {
      throw new AmqpTimeoutException(
          "connection to " + endpoint + ": " + e.getMessage() + "; nothing was sent");
    } catch (IOException e) {
      socketFailed(e);
      throw closeCause;
    }
  }

  /**
   * Sends a performative if the connection is open, waiting for the writer at most the close
   * timeout.
   */
  void sendQuietly(int channel, dev.amqpkit.amqp10.internal.protocol.Performative performative) {
    if (closeCause != null) return;
    try {
      writeFrame(channel, performative, true);
    } catch (IOException e) {
      log.debug("connection {}: could not queue a frame: {}", id, e.getMessage());
    }
  }

  /** Encodes a frame straight into the writer's buffer; a reply does not wait for room. */
  private void writeFrame(
      int channel, dev.amqpkit.amqp10.internal.protocol.Performative performative, boolean reply)
      throws IOException {
    int size;
    synchronized (encoder) {
      size = encoder.sizeOf(performative, 0);
    }
    FrameWriter.Filler filler =
        target -> {
          synchronized (encoder) {
            encoder.encode(channel, performative, null, target);
          }
        };
    if (reply) writer.writeReply(size, filler);
    else writer.write(size, filler);
  }

  @Override
  public Session openSession(SessionOptions sessionOptions) {
    return beginSession(sessionOptions);
  }

  /** Begins a session; see {@link #openSession(SessionOptions)}. */
  SessionImpl beginSession(SessionOptions sessionOptions) {
    java.util.Objects.requireNonNull(sessionOptions, "options == null");
    ConnectionClosedException cause = closeCause;
    if (cause != null) throw cause;
    SessionImpl session = null;
    synchronized (sessionLock) {
      for (int channel = 0; channel < byLocalChannel.length; channel++) {
        if (byLocalChannel[channel] == null) {
          session = new SessionImpl(this, channel, sessionOptions);
          byLocalChannel[channel] = session;
          break;
        }
      }
    }
    if (session == null) {
      throw new AmqpException(
          "every channel is in use: the two sides allow "
              + byLocalChannel.length
              + " sessions on this connection");
    }
    // A close that raced the registration: the session learns of it here.
    cause = closeCause;
    if (cause != null) {
      session.connectionClosed(cause);
      throw cause;
    }
    session.begin(options.requestTimeout());
    return session;
  }

  /**
   * Runs on the shared timer and never waits: a heartbeat is appended to the writer's queue, and an
   * idle-timeout close is queued and the connection shut down on the event executor.
   */
  private void idleTick(long ours, long theirs) {
    long now = System.nanoTime();
    if (closeCause != null) return;
    if (ours > 0 && now - lastReadNanos > TimeUnit.MILLISECONDS.toNanos(ours)) {
      String message = "the peer sent nothing for longer than the idle timeout of " + ours + " ms";
      dev.amqpkit.amqp10.internal.protocol.Error error =
          new dev.amqpkit.amqp10.internal.protocol.Error(
              ErrorConditions.RESOURCE_LIMIT_EXCEEDED, message, null);
      ConnectionClosedException cause =
          new ConnectionClosedException(
              "connection to " + endpoint + " closed: " + message,
              publicError(error),
              CloseInitiator.NETWORK,
              null);
      EVENTS.execute(
          () -> {
            writeQuietly(frame(0, new Close(error), null));
            shutdown(cause);
          });
      if (idleTask != null) idleTask.cancel(false);
      return;
    }
    if (theirs > 0 && now - writer.lastWriteNanos() > TimeUnit.MILLISECONDS.toNanos(theirs / 2)) {
      try {
        writer.writeHeartbeat(); // appends, never waits
      } catch (IOException e) {
        // The writer reports its failure; nothing more to do here.
      }
    }
  }

  /** The socket failed, for reading or for writing: the connection ends with that cause. */
  private void socketFailed(IOException e) {
    shutdown(
        new ConnectionClosedException(
            "connection to " + endpoint + " failed: " + describe(e),
            null,
            CloseInitiator.NETWORK,
            e));
  }

  /**
   * Encodes a frame. The encoder keeps state, and application threads, the reader and the event
   * executor all send frames: they take turns on it.
   */
  private byte[] frame(
      int channel,
      dev.amqpkit.amqp10.internal.protocol.Performative performative,
      ByteBuffer payload) {
    synchronized (encoder) {
      return encoder.encode(channel, performative, payload);
    }
  }

  private byte[] saslFrame(SaslPerformative performative) {
    synchronized (encoder) {
      return encoder.encodeSasl(performative);
    }
  }

  private void writeRaw(byte[] bytes) throws IOException {
    writer.write(bytes);
  }

  /** Queues a frame without waiting for room; for closing frames and the reader's answers. */
  private void writeQuietly(byte[] bytes) {
    try {
      writer.writeReply(bytes);
    } catch (IOException e) {
      log.debug("connection {}: could not queue a frame: {}", id, e.getMessage());
    }
  }

  /**
   * Hears the connection end, on the thread that ends it, before its sessions end and their sends
   * fail; at once if it has ended. Must not block. May be called twice for one end.
   */
  void onClosing(Consumer<ConnectionClosedException> hook) {
    closingHook = hook;
    ConnectionClosedException cause = closeCause;
    if (cause != null) hook.accept(cause);
  }

  /** Records why the connection ended, frees everything and tells the listeners. Once. */
  private void shutdown(ConnectionClosedException cause) {
    synchronized (closeLock) {
      if (closeCause != null) return;
      closeCause = cause;
    }
    try {
      Consumer<ConnectionClosedException> hook = closingHook;
      if (hook != null) hook.accept(cause);
      if (idleTask != null) idleTask.cancel(false);
      writer.drainAndClose(Math.min(1000, options.closeTimeout().toMillis()));
      closeQuietly(socket);
      List<SessionImpl> sessions = new ArrayList<>();
      synchronized (sessionLock) {
        if (byLocalChannel != null) {
          for (SessionImpl s : byLocalChannel) if (s != null) sessions.add(s);
        }
      }
      for (SessionImpl s : sessions) s.connectionClosed(cause);
      // addListener may race this: whoever removes a listener tells it, so it hears once.
      for (ConnectionListener l : listeners) if (listeners.remove(l)) notify(l, cause);
    } finally {
      terminated.complete(null);
    }
  }

  /**
   * Waits, at most {@code timeout}, until the connection has ended and what it carried has failed:
   * its sessions, links and their sends.
   */
  void awaitTerminated(Duration timeout) {
    try {
      terminated.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      log.warn("connection {}: still shutting down after {}", id, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void notify(ConnectionListener listener, ConnectionClosedException cause) {
    EVENTS.execute(
        () -> {
          try {
            listener.closed(cause);
          } catch (RuntimeException e) {
            log.error("a connection listener threw", e);
          }
        });
  }

  // ---- Connection ----

  @Override
  public String containerId() {
    return options.containerId();
  }

  @Override
  public String remoteContainerId() {
    return remoteOpen.containerId();
  }

  @Override
  public Map<Symbol, Object> remoteProperties() {
    return remoteOpen.properties() == null ? Map.of() : remoteOpen.properties();
  }

  @Override
  public List<Symbol> remoteOfferedCapabilities() {
    return remoteOpen.offeredCapabilities() == null ? List.of() : remoteOpen.offeredCapabilities();
  }

  @Override
  public int maxFrameSize() {
    return maxFrameSize;
  }

  @Override
  public Duration remoteIdleTimeout() {
    return remoteOpen.idleTimeOut() == null || remoteOpen.idleTimeOut() == 0
        ? null
        : Duration.ofMillis(remoteOpen.idleTimeOut());
  }

  @Override
  public boolean isOpen() {
    return closeCause == null;
  }

  @Override
  public ConnectionClosedException closeCause() {
    return closeCause;
  }

  @Override
  public void addListener(ConnectionListener listener) {
    java.util.Objects.requireNonNull(listener, "listener == null");
    listeners.add(listener);
    ConnectionClosedException cause = closeCause;
    if (cause != null && listeners.remove(listener)) notify(listener, cause);
  }

  @Override
  public void close() {
    close(null);
  }

  @Override
  public void close(AmqpError error) {
    if (closeCause != null || !closing.compareAndSet(false, true)) return;
    dev.amqpkit.amqp10.internal.protocol.Error wire = wireError(error);
    writeQuietly(frame(0, new Close(wire), null));
    try {
      peerClose.get(options.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.debug("connection {}: no close from {} within {}", id, endpoint, options.closeTimeout());
    } catch (ExecutionException e) {
      // The reader ended; the socket is going anyway.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    shutdown(
        new ConnectionClosedException(
            "the application closed the connection to " + endpoint,
            error,
            CloseInitiator.APPLICATION,
            null));
  }

  @Override
  public String toString() {
    return "amqp10-connection-" + id + "(" + endpoint + (isOpen() ? "" : ", closed") + ")";
  }

  // ---- helpers ----

  private static String name(Object frame) {
    if (frame instanceof AmqpFrame f) return performativeName(f.performative());
    if (frame instanceof SaslFrame f) return performativeName(f.performative());
    return frame == null ? "nothing" : frame.getClass().getSimpleName();
  }

  private static String performativeName(Object p) {
    return p == null ? "null" : p.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  private static String describe(Exception e) {
    if (e instanceof java.net.UnknownHostException) return "unknown host";
    if (e instanceof AmqpException) return e.getMessage();
    String m = e.getMessage();
    // The class name only where there is no message, or where it says more than "IOException".
    if (m == null) return e.getClass().getSimpleName();
    return e.getClass() == java.io.IOException.class ? m : e.getClass().getSimpleName() + ": " + m;
  }

  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) throw new SocketTimeoutException("deadline passed");
    return (int) Math.min(Integer.MAX_VALUE, left);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Closing anyway.
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
