package dev.amqpkit.amqp091.internal;

import dev.amqpkit.amqp091.AmqpException;
import dev.amqpkit.amqp091.AmqpTimeoutException;
import dev.amqpkit.amqp091.AuthenticationException;
import dev.amqpkit.amqp091.Channel;
import dev.amqpkit.amqp091.CloseInitiator;
import dev.amqpkit.amqp091.CloseReason;
import dev.amqpkit.amqp091.ConnectFailedException;
import dev.amqpkit.amqp091.Connection;
import dev.amqpkit.amqp091.ConnectionClosedException;
import dev.amqpkit.amqp091.ConnectionListener;
import dev.amqpkit.amqp091.ConnectionOptions;
import dev.amqpkit.amqp091.Endpoint;
import dev.amqpkit.amqp091.MissedHeartbeatException;
import dev.amqpkit.amqp091.ProtocolException;
import dev.amqpkit.amqp091.SaslMechanism;
import dev.amqpkit.amqp091.TlsException;
import dev.amqpkit.common.internal.SerialExecutor;
import dev.amqpkit.common.internal.TlsSockets;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection: handshake, the reader thread, heartbeats, channel bookkeeping and close in both
 * directions. Channels do their own work in {@link AmqpChannel}.
 */
public final class AmqpConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(AmqpConnection.class);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final byte[] PROTOCOL_HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
  private static final int HANDSHAKE_FRAME_MAX = 131_072;
  static final String VERSION = "0.1.0";

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(daemonThreads("amqpkit-timer"));

  private final int id = IDS.incrementAndGet();
  final ConnectionOptions options;
  private final Endpoint endpoint;
  private final Socket socket;
  private final FrameReader reader;
  // Callback executors with tasks queued by the reader and not yet woken. Reader thread only.
  private final java.util.ArrayList<SerialExecutor> toKick = new java.util.ArrayList<>();
  final FrameWriter writer;
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private final AmqpChannel[] channels;
  final Executor callbackExecutor;
  private final SerialExecutor events;
  private final CompletableFuture<Void> closeOk = new CompletableFuture<>();
  private final Object rpcLock = new Object();

  private Map<String, Object> serverProperties;
  private int channelMax;
  private int frameMax;
  private int heartbeatSeconds;
  private volatile ConnectionClosedException closeCause;
  private volatile boolean closing;
  private volatile boolean blocked;
  private volatile long lastReadNanos = System.nanoTime();
  private volatile CompletableFuture<Method> pendingRpc;
  private int nextChannel = 1;
  private long handshakeDeadline;
  private ScheduledFuture<?> heartbeatTask;

  /**
   * @param plain the channel of {@code socket} for plain TCP, written to from direct buffers; null
   *     for TLS, written to through the socket's stream
   */
  private AmqpConnection(
      ConnectionOptions options, Endpoint endpoint, Socket socket, SocketChannel plain)
      throws IOException {
    this.options = options;
    this.endpoint = endpoint;
    this.socket = socket;
    this.reader = new FrameReader(socket.getInputStream());
    String writerName = "amqpkit-writer-" + id;
    this.writer =
        plain != null
            ? new FrameWriter(plain, writerName, options.rpcTimeout(), this::writeFailed)
            : new FrameWriter(
                socket.getOutputStream(), writerName, options.rpcTimeout(), this::writeFailed);
    this.channels = new AmqpChannel[options.channelMax() + 1];
    if (options.consumerExecutor() != null) {
      callbackExecutor = options.consumerExecutor();
    } else {
      // Idle threads end after a few seconds, so the pool needs no shutdown: a listener added
      // after the close must still be told.
      callbackExecutor =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              5,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              daemonThreads("amqpkit-callbacks-" + id));
    }
    events = new SerialExecutor(callbackExecutor);
  }

  /** Connects to the first endpoint that answers; see {@link Connection#open}. */
  public static Connection open(ConnectionOptions options) {
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
            failures.isEmpty() ? null : failures.get(failures.size() - 1));
    for (Exception e : failures) failed.addSuppressed(e);
    throw failed;
  }

  private static AmqpConnection connect(ConnectionOptions options, Endpoint endpoint)
      throws IOException {
    long deadline = System.nanoTime() + options.connectionTimeout().toNanos();
    // Plain TCP goes through a socket channel, so that the writer can hand direct buffers to the
    // kernel without the copy a socket's stream makes; TLS needs the stream.
    SocketChannel plain = options.tls() ? null : SocketChannel.open();
    Socket socket = plain != null ? plain.socket() : new Socket();
    // A channel closes itself when the thread using it is interrupted, which a socket never did
    // here: the flag is put aside while this thread connects and reads the handshake.
    boolean interrupted = plain != null && Thread.interrupted();
    try {
      socket.setTcpNoDelay(true);
      socket.connect(
          new InetSocketAddress(endpoint.host(), endpoint.port()),
          (int) Math.max(1, options.connectionTimeout().toMillis()));
      if (options.tls()) socket = startTls(socket, options, endpoint, deadline);
      socket.setSoTimeout(remainingMillis(deadline));
      AmqpConnection connection = new AmqpConnection(options, endpoint, socket, plain);
      try {
        connection.handshake(deadline);
        socket.setSoTimeout(0);
      } catch (IOException | RuntimeException e) {
        connection.writer.drainAndClose(100);
        throw e;
      }
      connection.start();
      return connection;
    } catch (SocketTimeoutException e) {
      closeQuietly(socket);
      throw new AmqpTimeoutException(
          "connecting to " + endpoint + " took longer than " + options.connectionTimeout());
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket);
      throw e;
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private static Socket startTls(
      Socket plain, ConnectionOptions options, Endpoint endpoint, long deadline)
      throws IOException {
    plain.setSoTimeout(remainingMillis(deadline));
    try {
      return TlsSockets.handshake(
          plain, options.sslContext(), endpoint.host(), endpoint.port(), options.verifyHostname());
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (SSLException e) {
      throw tlsFailure(endpoint, e);
    }
  }

  /** Says in plain words why a TLS handshake failed, as far as the JDK's error tells. */
  static TlsException tlsFailure(Endpoint endpoint, SSLException e) {
    TlsSockets.Failure failure = TlsSockets.classify(e);
    return new TlsException(
        TlsException.Problem.valueOf(failure.name()),
        TlsSockets.describe(failure, endpoint.toString(), endpoint.host(), e),
        e);
  }

  // ---- handshake ----

  private void handshake(long deadline) throws IOException {
    handshakeDeadline = deadline;
    writer.writeRaw(PROTOCOL_HEADER);
    Method.ConnectionStart start = expectStart();
    if (start.versionMajor() != 0 || start.versionMinor() != 9) {
      throw new IOException(
          endpoint
              + " speaks AMQP "
              + start.versionMajor()
              + "-"
              + start.versionMinor()
              + ", not 0-9-1");
    }
    serverProperties = start.serverProperties();
    SaslMechanism mechanism = options.saslMechanism();
    String offered = new String(start.mechanisms(), StandardCharsets.UTF_8);
    if (!Arrays.asList(offered.trim().split("\\s+")).contains(mechanism.name())) {
      throw new AuthenticationException(
          endpoint + " does not offer SASL " + mechanism + " (it offers: " + offered.trim() + ")",
          null);
    }
    writer.writeMethod(
        0,
        new Method.ConnectionStartOk(
            clientProperties(), mechanism.name(), saslResponse(mechanism), "en_US"));
    Method reply = handshakeMethod("the login");
    while (reply instanceof Method.ConnectionSecure) {
      writer.writeMethod(0, new Method.ConnectionSecureOk(saslResponse(mechanism)));
      reply = handshakeMethod("the login");
    }
    if (reply instanceof Method.ConnectionClose close) {
      respondToCloseDuringHandshake();
      if (close.replyCode() == 403) {
        throw new AuthenticationException(
            endpoint + " refused the login " + whoLogsIn() + ": " + close.replyText(), null);
      }
      throw brokerClosed(close);
    }
    if (!(reply instanceof Method.ConnectionTune tune)) {
      throw new ProtocolException(
          MalformedFrameException.COMMAND_INVALID, "expected connection.tune, got " + reply.name());
    }
    if (tune.frameMax() != 0 && tune.frameMax() < ConnectionOptions.FRAME_MIN_SIZE) {
      ProtocolException error =
          new ProtocolException(
              MalformedFrameException.SYNTAX_ERROR,
              "connection.tune offers frame-max "
                  + tune.frameMax()
                  + ", below the minimum of "
                  + ConnectionOptions.FRAME_MIN_SIZE);
      sendCloseQuietly(error.reason());
      throw error;
    }
    channelMax = (int) negotiate(options.channelMax(), tune.channelMax(), 65535);
    frameMax =
        (int)
            Math.min(
                Integer.MAX_VALUE,
                negotiate(options.frameMax(), tune.frameMax(), Integer.MAX_VALUE));
    long wantedHeartbeat = options.heartbeat().getSeconds();
    heartbeatSeconds =
        wantedHeartbeat == 0 ? 0 : (int) negotiate(wantedHeartbeat, tune.heartbeat(), 65535);
    writer.writeMethod(0, new Method.ConnectionTuneOk(channelMax, frameMax, heartbeatSeconds));
    writer.writeMethod(0, new Method.ConnectionOpen(options.virtualHost()));
    reply = handshakeMethod("opening virtual host '" + options.virtualHost() + "'");
    if (reply instanceof Method.ConnectionClose close) {
      respondToCloseDuringHandshake();
      throw brokerClosed(close);
    }
    if (!(reply instanceof Method.ConnectionOpenOk)) {
      throw new ProtocolException(
          MalformedFrameException.COMMAND_INVALID,
          "expected connection.open-ok, got " + reply.name());
    }
  }

  private static long negotiate(long client, long server, long unlimited) {
    long c = client == 0 ? unlimited : client;
    long s = server == 0 ? unlimited : server;
    return Math.min(c, s);
  }

  private Method.ConnectionStart expectStart() throws IOException {
    Method method;
    try {
      method = nextHandshakeMethod();
    } catch (MalformedFrameException e) {
      String version = reader.unreadProtocolHeader();
      if (version != null) {
        throw new IOException(
            endpoint
                + " does not speak AMQP 0-9-1: it answered with the protocol header of AMQP "
                + version);
      }
      throw new IOException(endpoint + " did not answer with connection.start: " + e.getMessage());
    }
    if (!(method instanceof Method.ConnectionStart start)) {
      throw new IOException(
          endpoint + " answered with " + method.name() + ", not connection.start");
    }
    return start;
  }

  private Method handshakeMethod(String during) throws IOException {
    try {
      return nextHandshakeMethod();
    } catch (EOFException e) {
      if (during.equals("the login")) {
        throw new AuthenticationException(
            endpoint
                + " closed the connection during the login "
                + whoLogsIn()
                + ": the credentials or the mechanism were refused",
            e);
      }
      throw e;
    } catch (MalformedFrameException e) {
      ProtocolException error = new ProtocolException(e.replyCode(), e.getMessage());
      sendCloseQuietly(error.reason());
      throw error;
    }
  }

  private Method nextHandshakeMethod() throws IOException, MalformedFrameException {
    while (true) {
      socket.setSoTimeout(remainingMillis(handshakeDeadline));
      reader.next(HANDSHAKE_FRAME_MAX);
      if (reader.type == FrameWriter.FRAME_HEARTBEAT) continue;
      if (reader.type != 1 || reader.channel != 0) {
        throw new MalformedFrameException(
            MalformedFrameException.UNEXPECTED_FRAME,
            "frame of type "
                + reader.type
                + " on channel "
                + reader.channel
                + " during the handshake");
      }
      return Method.decode(
          new Decoder(reader.buffer(), reader.payloadOffset, reader.payloadLength));
    }
  }

  private void respondToCloseDuringHandshake() {
    try {
      writer.writeMethod(0, new Method.ConnectionCloseOk());
    } catch (IOException ignored) {
      // The broker closes the socket anyway.
    }
  }

  /** Who the login was for, as an error message names it: the user, or the client certificate. */
  private String whoLogsIn() {
    return options.saslMechanism() == SaslMechanism.EXTERNAL
        ? "with the client's TLS certificate (SASL EXTERNAL)"
        : "of user '" + options.username() + "'";
  }

  private byte[] saslResponse(SaslMechanism mechanism) {
    return switch (mechanism) {
      case PLAIN ->
          ("\0" + options.username() + "\0" + options.password()).getBytes(StandardCharsets.UTF_8);
      case AMQPLAIN -> {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("LOGIN", options.username());
        table.put("PASSWORD", options.password());
        byte[] encoded = new Encoder(64).table(table).toByteArray();
        yield Arrays.copyOfRange(encoded, 4, encoded.length); // the table without its length
      }
      case EXTERNAL -> new byte[0];
    };
  }

  private Map<String, Object> clientProperties() {
    Map<String, Object> capabilities = new LinkedHashMap<>();
    capabilities.put("publisher_confirms", true);
    capabilities.put("exchange_exchange_bindings", true);
    capabilities.put("basic.nack", true);
    capabilities.put("consumer_cancel_notify", true);
    capabilities.put("connection.blocked", true);
    capabilities.put("authentication_failure_close", true);
    capabilities.put("per_consumer_qos", true);
    capabilities.put("direct_reply_to", true);
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("product", "amqpkit");
    properties.put("version", VERSION);
    properties.put("platform", "Java " + Runtime.version());
    properties.put("information", "https://amqpkit.dev");
    properties.put("capabilities", capabilities);
    if (options.connectionName() != null)
      properties.put("connection_name", options.connectionName());
    properties.putAll(options.clientProperties());
    return properties;
  }

  private void start() {
    Thread thread = new Thread(this::readLoop, "amqpkit-reader-" + id + "-" + endpoint);
    thread.setDaemon(true);
    thread.start();
    if (heartbeatSeconds > 0) {
      long periodMillis = heartbeatSeconds * 1000L / 2;
      heartbeatTask =
          TIMER.scheduleAtFixedRate(
              this::heartbeatTick, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }
  }

  // ---- reading ----

  /**
   * Queues a callback from the reader thread; the executor is woken when the reader has no more
   * frames at hand, before it can block on the socket. Reader thread only.
   */
  void dispatch(SerialExecutor callbacks, Runnable task) {
    if (callbacks.enqueue(task)) toKick.add(callbacks);
  }

  private void kickCallbacks() {
    for (int i = 0, n = toKick.size(); i < n; i++) toKick.get(i).kick();
    toKick.clear();
  }

  private void readLoop() {
    Decoder decoder = new Decoder(new byte[0], 0, 0);
    try {
      while (true) {
        if (!toKick.isEmpty() && !reader.frameBuffered()) kickCallbacks();
        reader.next(frameMax);
        lastReadNanos = System.nanoTime();
        int type = reader.type;
        int channel = reader.channel;
        if (type == FrameWriter.FRAME_HEARTBEAT) {
          if (channel != 0) {
            throw new MalformedFrameException(
                MalformedFrameException.FRAME_ERROR, "heartbeat frame on channel " + channel);
          }
          continue;
        }
        decoder.reset(reader.buffer(), reader.payloadOffset, reader.payloadLength);
        if (closing) {
          // We sent connection.close: only close-ok (or the broker's own close) matters now.
          if (type == 1 && channel == 0) {
            Method m = Method.decode(decoder);
            if (m instanceof Method.ConnectionCloseOk || m instanceof Method.ConnectionClose) {
              if (m instanceof Method.ConnectionClose)
                writer.writeReply(0, new Method.ConnectionCloseOk());
              closeOk.complete(null);
              return;
            }
          }
          continue;
        }
        if (channel == 0) {
          if (type != 1) {
            throw new MalformedFrameException(
                type == 2 || type == 3
                    ? MalformedFrameException.UNEXPECTED_FRAME
                    : MalformedFrameException.FRAME_ERROR,
                (type == 2 || type == 3 ? "content frame" : "frame of unknown type")
                    + " of type "
                    + type
                    + " on channel 0");
          }
          handleConnectionMethod(Method.decode(decoder));
        } else {
          AmqpChannel target = channelOrNull(channel);
          if (target == null) {
            throw new MalformedFrameException(
                MalformedFrameException.CHANNEL_ERROR,
                "frame for channel " + channel + ", which is not open");
          }
          target.handleFrame(type, decoder);
        }
      }
    } catch (MalformedFrameException e) {
      ProtocolException error = new ProtocolException(e.replyCode(), e.getMessage());
      log.warn("connection {} to {}: {}", id, endpoint, error.getMessage());
      sendCloseQuietly(error.reason());
      shutdown(error);
    } catch (IOException e) {
      if (closeCause == null) {
        shutdown(
            new ConnectionClosedException(
                "connection to " + endpoint + " failed: " + describe(e),
                new CloseReason(541, describe(e), 0, 0),
                CloseInitiator.NETWORK,
                e));
      }
    } catch (RuntimeException e) {
      log.error("connection {}: internal error in the reader", id, e);
      shutdown(
          new ConnectionClosedException(
              "internal error: " + e,
              new CloseReason(541, String.valueOf(e), 0, 0),
              CloseInitiator.CLIENT,
              e));
    } finally {
      kickCallbacks();
      closeOk.complete(null);
      writer.drainAndClose(1000);
      closeQuietly(socket);
    }
  }

  private void handleConnectionMethod(Method method) throws IOException, MalformedFrameException {
    if (method instanceof Method.ConnectionClose close) {
      writer.writeReply(0, new Method.ConnectionCloseOk());
      shutdown(brokerClosed(close));
      throw new EOFException("closed by the broker");
    } else if (method instanceof Method.ConnectionBlocked b) {
      blocked = true;
      events.execute(() -> listeners.forEach(l -> l.blocked(b.reason())));
    } else if (method instanceof Method.ConnectionUnblocked) {
      blocked = false;
      events.execute(() -> listeners.forEach(ConnectionListener::unblocked));
    } else if (method instanceof Method.ConnectionUpdateSecretOk) {
      CompletableFuture<Method> pending = pendingRpc;
      if (pending != null) pending.complete(method);
    } else {
      throw new MalformedFrameException(
          MalformedFrameException.UNEXPECTED_FRAME,
          "unexpected " + method.name() + " on channel 0");
    }
  }

  private ConnectionClosedException brokerClosed(Method.ConnectionClose close) {
    CloseReason reason =
        new CloseReason(close.replyCode(), close.replyText(), close.classId(), close.methodId());
    return new ConnectionClosedException(
        "the broker closed the connection to " + endpoint + ": " + reason,
        reason,
        CloseInitiator.BROKER,
        null);
  }

  // ---- heartbeats ----

  private void heartbeatTick() {
    if (closeCause != null) return;
    long now = System.nanoTime();
    long interval = TimeUnit.SECONDS.toNanos(heartbeatSeconds);
    if (now - lastReadNanos > 2 * interval) {
      MissedHeartbeatException missed =
          new MissedHeartbeatException(
              "no frame from "
                  + endpoint
                  + " for "
                  + Duration.ofNanos(now - lastReadNanos).toMillis()
                  + " ms, over two heartbeat intervals of "
                  + heartbeatSeconds
                  + " s");
      closing = true;
      try {
        // The timer thread never waits: the flusher may be stuck on the dead socket.
        writer.tryWriteMethod(
            0, new Method.ConnectionClose(missed.replyCode(), missed.reason().replyText(), 0, 0));
      } catch (IOException ignored) {
        // The socket is closed next.
      }
      shutdown(missed);
      // Give the close a moment to go out, off the shared timer thread, then close the socket,
      // which also unblocks any writer stuck on it.
      Thread closer =
          new Thread(
              () -> {
                writer.drainAndClose(1000);
                closeQuietly(socket);
              },
              "amqpkit-closer-" + id);
      closer.setDaemon(true);
      closer.start();
      return;
    }
    if (now - writer.lastWriteNanos() >= interval / 2) {
      try {
        writer.writeHeartbeat();
      } catch (IOException e) {
        writeFailed(e);
      }
    }
  }

  // ---- writing, for channels ----

  void send(int channel, Method method) {
    ensureOpen();
    try {
      writer.writeMethod(channel, method);
    } catch (FrameWriter.NoRoomException e) {
      throw new AmqpTimeoutException(e.getMessage());
    } catch (IOException e) {
      throw writeFailed(e);
    }
  }

  long sendPublish(
      int channel,
      String exchange,
      String routingKey,
      boolean mandatory,
      dev.amqpkit.amqp091.BasicProperties props,
      byte[] body,
      int bodyLength,
      FrameWriter.PublishSequencer sequencer,
      PublishWindow.PendingConfirm confirm) {
    ensureOpen();
    try {
      return writer.writePublish(
          channel,
          exchange,
          routingKey,
          mandatory,
          props,
          body,
          bodyLength,
          frameMax,
          sequencer,
          confirm);
    } catch (FrameWriter.NoRoomException e) {
      throw new AmqpTimeoutException(e.getMessage());
    } catch (IOException e) {
      throw writeFailed(e);
    }
  }

  /**
   * Queues a frame the reader thread owes the broker; never waits for room (see {@link
   * FrameWriter#writeReply}). A failure is the connection's: the reader handles it as one.
   */
  void sendReply(int channel, Method method) throws IOException {
    writer.writeReply(channel, method);
  }

  private ConnectionClosedException writeFailed(IOException e) {
    ConnectionClosedException failure =
        new ConnectionClosedException(
            "writing to " + endpoint + " failed: " + describe(e),
            new CloseReason(541, describe(e), 0, 0),
            CloseInitiator.NETWORK,
            e);
    shutdown(failure);
    closeQuietly(socket);
    return closeCause;
  }

  private void ensureOpen() {
    ConnectionClosedException cause = closeCause;
    if (cause != null) throw cause;
  }

  // ---- channels ----

  @Override
  public Channel openChannel() {
    return openChannel(null);
  }

  /** Opens a channel whose callbacks run on {@code callbacks}, or on its own if null. */
  AmqpChannel openChannel(SerialExecutor callbacks) {
    ensureOpen();
    AmqpChannel channel;
    synchronized (lock) {
      int number = freeChannelNumber();
      channel = new AmqpChannel(this, number, callbacks);
      channels[number] = channel;
    }
    try {
      channel.open();
    } catch (RuntimeException e) {
      release(channel.number());
      throw e;
    }
    return channel;
  }

  private int freeChannelNumber() {
    for (int i = 0; i < channelMax; i++) {
      int candidate = nextChannel;
      nextChannel = nextChannel >= channelMax ? 1 : nextChannel + 1;
      if (channels[candidate] == null) return candidate;
    }
    throw new AmqpException("all " + channelMax + " channels of the connection are in use");
  }

  private AmqpChannel channelOrNull(int number) {
    synchronized (lock) {
      return number < channels.length ? channels[number] : null;
    }
  }

  void release(int number) {
    synchronized (lock) {
      channels[number] = null;
    }
  }

  Executor callbackExecutor() {
    return callbackExecutor;
  }

  // ---- closing ----

  @Override
  public void close() {
    ConnectionClosedException byApplication =
        new ConnectionClosedException(
            "the application closed the connection to " + endpoint,
            new CloseReason(200, "Goodbye", 0, 0),
            CloseInitiator.APPLICATION,
            null);
    boolean already;
    synchronized (lock) {
      already = closing;
      closing = true;
    }
    if (already) {
      // Outside the lock: the reader and the heartbeat timer take it on their way to close-ok.
      awaitCloseOk();
      return;
    }
    if (closeCause == null) {
      shutdown(byApplication);
      try {
        writer.writeMethod(0, new Method.ConnectionClose(200, "Goodbye", 0, 0));
        awaitCloseOk();
      } catch (IOException e) {
        // The socket is gone: nothing to wait for.
      }
    }
    closeQuietly(socket);
  }

  private void awaitCloseOk() {
    try {
      closeOk.get(options.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn(
          "connection {}: no close-ok from {} within {}", id, endpoint, options.closeTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // closeOk never completes exceptionally.
    }
  }

  private void sendCloseQuietly(CloseReason reason) {
    closing = true;
    try {
      writer.writeReply(
          0, new Method.ConnectionClose(reason.replyCode(), truncate(reason.replyText()), 0, 0));
    } catch (IOException ignored) {
      // The socket is closed right after.
    }
  }

  private static String truncate(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    return utf8.length <= 255 ? s : new String(utf8, 0, 250, StandardCharsets.UTF_8) + "...";
  }

  /** Marks the connection closed with a cause, closes every channel, tells listeners. Once. */
  private void shutdown(ConnectionClosedException cause) {
    List<AmqpChannel> open = new ArrayList<>();
    List<ConnectionListener> toTell;
    synchronized (lock) {
      if (closeCause != null) return;
      closeCause = cause;
      toTell = List.copyOf(listeners);
      closing = true;
      for (int i = 1; i < channels.length; i++) {
        if (channels[i] != null) open.add(channels[i]);
        channels[i] = null;
      }
    }
    if (heartbeatTask != null) heartbeatTask.cancel(false);
    CompletableFuture<Method> pending = pendingRpc;
    if (pending != null) pending.completeExceptionally(cause);
    for (AmqpChannel channel : open) channel.connectionClosed(cause);
    events.execute(
        () -> {
          for (ConnectionListener listener : toTell) listener.closed(cause);
        });
    if (cause.initiator() != CloseInitiator.APPLICATION) {
      log.info("connection {} to {} closed: {}", id, endpoint, cause.getMessage());
    }
  }

  // ---- the rest of the public surface ----

  @Override
  public void updateSecret(String newSecret, String reason) {
    synchronized (rpcLock) {
      CompletableFuture<Method> future = new CompletableFuture<>();
      pendingRpc = future;
      try {
        send(
            0,
            new Method.ConnectionUpdateSecret(newSecret.getBytes(StandardCharsets.UTF_8), reason));
        future.get(options.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new AmqpTimeoutException(
            "connection.update-secret: no answer within " + options.rpcTimeout());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AmqpException("interrupted while updating the secret", e);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof AmqpException a
            ? a
            : new AmqpException("update-secret failed", e.getCause());
      } finally {
        pendingRpc = null;
      }
    }
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
  public Endpoint endpoint() {
    return endpoint;
  }

  @Override
  public Map<String, Object> serverProperties() {
    return serverProperties;
  }

  @Override
  public int channelMax() {
    return channelMax;
  }

  @Override
  public int frameMax() {
    return frameMax;
  }

  @Override
  public Duration heartbeat() {
    return Duration.ofSeconds(heartbeatSeconds);
  }

  @Override
  public void addListener(ConnectionListener listener) {
    java.util.Objects.requireNonNull(listener, "listener == null");
    ConnectionClosedException cause;
    synchronized (lock) {
      cause = closeCause;
      if (cause == null) {
        listeners.add(listener);
        return;
      }
    }
    events.execute(() -> listener.closed(cause));
  }

  @Override
  public boolean isBlocked() {
    return blocked;
  }

  @Override
  public String toString() {
    return "Connection{" + id + " " + endpoint + (closeCause == null ? "" : " closed") + "}";
  }

  // ---- helpers ----

  private static int remainingMillis(long deadline) throws SocketTimeoutException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) throw new SocketTimeoutException("connection timeout");
    return (int) Math.min(Integer.MAX_VALUE, left);
  }

  static String describe(Throwable e) {
    if (e instanceof java.net.UnknownHostException) return "unknown host";
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing more to release.
    }
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
