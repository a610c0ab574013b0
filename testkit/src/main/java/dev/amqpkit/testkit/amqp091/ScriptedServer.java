package dev.amqpkit.testkit.amqp091;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A fake AMQP 0-9-1 broker that plays a script, for testing how a client copes with a peer that
 * misbehaves. It listens on 127.0.0.1 on a free port, accepts one client connection and runs the
 * steps in order on its own thread:
 *
 * <pre>{@code
 * try (ScriptedServer server = new ScriptedServer()) {
 *   server.handshake(0).acceptChannelOpen(1).send(aBrokenFrame).start();
 *   // connect the client to 127.0.0.1:server.port() and make it read the frame
 *   server.awaitDone(Duration.ofSeconds(5));
 *   assertThat(server.clientClose(Duration.ofSeconds(5)).replyCode()).isEqualTo(501);
 * }
 * }</pre>
 *
 * <p>An {@code expect} step reads the next frame and fails the script if it is not the one
 * expected; heartbeats from the client are recorded and skipped. When the script has run out of
 * steps the server keeps reading and recording frames (answering nothing) until the client hangs
 * up, so {@link #received()} and {@link #clientClose(Duration)} see what the client sends after the
 * last step. Steps may be added after {@link #start()}; frames read while idle are handed to them
 * first.
 *
 * <p>Every wait is bounded: each step by the step timeout, accepting by the accept timeout, and
 * {@link #goSilent()} by {@link #resume()} or {@link #close()}. A failed step closes the client's
 * socket and ends the script; {@link #awaitDone(Duration)} reports it with what was received
 * instead. {@link #close()} ends the thread and releases the port.
 *
 * <p>Thread-safe: steps are added and results read from any thread.
 */
public final class ScriptedServer implements AutoCloseable {
  /** How long a step waits for the client unless {@link #stepTimeout(Duration)} says otherwise. */
  public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(5);

  /** How long {@link #start()} waits for the client to connect, by default. */
  public static final Duration DEFAULT_ACCEPT_TIMEOUT = Duration.ofSeconds(10);

  /** The largest frame payload accepted from the client. */
  public static final int MAX_CLIENT_PAYLOAD = 16 * 1024 * 1024;

  private static final int CONNECTION = ServerFrames.CONNECTION;
  private static final int CHANNEL = ServerFrames.CHANNEL;
  private static final int BASIC = ServerFrames.BASIC;
  private static final int IDLE_POLL_MILLIS = 20;
  private static final long JOIN_MILLIS = 5_000;

  private final ServerSocket listener;
  private final int port;
  private final Object lock = new Object();

  // Guarded by lock.
  private final ArrayDeque<Step> queued = new ArrayDeque<>();
  private final List<String> stepNames = new ArrayList<>();
  private final List<Frame> received = new ArrayList<>();
  private int completed;
  private boolean running;
  private AssertionError failure;
  private boolean silent;
  private boolean started;
  private boolean finished;
  private String clientGone;
  private Duration stepTimeout = DEFAULT_STEP_TIMEOUT;
  private Duration acceptTimeout = DEFAULT_ACCEPT_TIMEOUT;
  private Thread thread;

  // Owned by the script thread.
  private final ArrayDeque<Frame> inbox = new ArrayDeque<>();
  private byte[] pending = new byte[8192];
  private int pendingLength;
  private boolean frameMode;
  private boolean socketClosedByScript;

  private volatile Socket socket;
  private volatile boolean closed;

  /** Binds 127.0.0.1 on a free port; the script starts with {@link #start()}. */
  public ScriptedServer() throws IOException {
    listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    port = listener.getLocalPort();
  }

  /** The port the server listens on (still the same after the client connected). */
  public int port() {
    return port;
  }

  /** The host to connect to: always {@code 127.0.0.1}. */
  public String host() {
    return "127.0.0.1";
  }

  // ---- configuration ----

  /** The timeout of every step added after this call. */
  public ScriptedServer stepTimeout(Duration timeout) {
    requirePositive(timeout, "step timeout");
    synchronized (lock) {
      stepTimeout = timeout;
    }
    return this;
  }

  /** How long the server waits for the client to connect; set before {@link #start()}. */
  public ScriptedServer acceptTimeout(Duration timeout) {
    requirePositive(timeout, "accept timeout");
    synchronized (lock) {
      acceptTimeout = timeout;
    }
    return this;
  }

  // ---- steps: reading ----

  /** Reads the 8-byte protocol header {@code AMQP 0 0 9 1}; frames follow it. */
  public ScriptedServer expectProtocolHeader() {
    return step(
        "expect the protocol header AMQP 0-0-9-1",
        (deadline, timeout) -> {
          byte[] header = readRaw(8, deadline, timeout, "the protocol header");
          frameMode = true;
          if (!Arrays.equals(header, Frame.PROTOCOL_HEADER)) {
            throw new StepFailed(
                "received the bytes "
                    + HexFormat.ofDelimiter(" ").formatHex(header)
                    + " instead of the protocol header");
          }
        });
  }

  /** Reads the next method frame, on any channel, and checks its class and method. */
  public ScriptedServer expectMethod(int classId, int methodId) {
    return expectMethod(-1, classId, methodId, frame -> {});
  }

  /** Reads the next method frame and checks its channel, class and method. */
  public ScriptedServer expectMethod(int channel, int classId, int methodId) {
    return expectMethod(channel, classId, methodId, frame -> {});
  }

  /**
   * Reads the next method frame, checks it, and hands it to {@code onReceived} on the script
   * thread, e.g. to capture it. A negative channel matches any channel.
   */
  public ScriptedServer expectMethod(
      int channel, int classId, int methodId, Consumer<Frame> onReceived) {
    Objects.requireNonNull(onReceived, "onReceived == null");
    return step(
        "expect " + methodName(classId, methodId) + onChannel(channel),
        (deadline, timeout) ->
            onReceived.accept(nextMethod(channel, classId, methodId, deadline, timeout)));
  }

  /**
   * Reads the next method frame, checks it, and sends what {@code response} makes of it (nothing
   * when it returns {@code null}).
   */
  public ScriptedServer expectMethodAndRespond(
      int channel, int classId, int methodId, Function<Frame, Frame> response) {
    Objects.requireNonNull(response, "response == null");
    return step(
        "expect " + methodName(classId, methodId) + onChannel(channel) + " and respond",
        (deadline, timeout) -> {
          Frame reply = response.apply(nextMethod(channel, classId, methodId, deadline, timeout));
          if (reply != null) write(reply.toByteArray());
        });
  }

  /**
   * Reads a {@code basic.publish} on {@code channel} with its content header and body frames, and
   * hands the body to {@code onBody} on the script thread. Fails if another frame gets between
   * them.
   */
  public ScriptedServer expectPublish(int channel, Consumer<byte[]> onBody) {
    Objects.requireNonNull(onBody, "onBody == null");
    return step(
        "expect basic.publish" + onChannel(channel) + " with its content",
        (deadline, timeout) -> {
          nextMethod(channel, 60, 40, deadline, timeout);
          Frame header = nextFrame(deadline, timeout, "a content header");
          if (header.type() != Frame.HEADER || header.channel() != channel) {
            throw new StepFailed("received " + describe(header) + " instead of a content header");
          }
          long size = java.nio.ByteBuffer.wrap(header.payload()).getLong(4);
          java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
          while (body.size() < size) {
            Frame frame = nextFrame(deadline, timeout, "a body frame");
            if (frame.type() != Frame.BODY || frame.channel() != channel) {
              throw new StepFailed(
                  "received "
                      + describe(frame)
                      + " after "
                      + body.size()
                      + " of "
                      + size
                      + " body bytes");
            }
            body.writeBytes(frame.payload());
          }
          onBody.accept(body.toByteArray());
        });
  }

  /** Reads frames until a heartbeat arrives, within the step timeout; other frames are skipped. */
  public ScriptedServer expectHeartbeat() {
    return expectHeartbeat(null);
  }

  /** Reads frames until a heartbeat arrives within {@code within}; other frames are skipped. */
  public ScriptedServer expectHeartbeat(Duration within) {
    if (within != null) requirePositive(within, "within");
    return step(
        "expect a heartbeat frame",
        within,
        (deadline, timeout) -> {
          while (true) {
            Frame frame = nextFrame(deadline, timeout, "a heartbeat");
            if (frame.type() == Frame.HEARTBEAT) return;
          }
        });
  }

  // ---- steps: writing ----

  /** Sends frames, in order, in one write. */
  public ScriptedServer send(Frame... frames) {
    List<Frame> copy = List.of(frames);
    String what = copy.size() == 1 ? describe(copy.get(0)) : copy.size() + " frames " + copy;
    return step(
        "send " + what,
        (deadline, timeout) -> {
          java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
          for (Frame frame : copy) frame.writeTo(bytes);
          write(bytes.toByteArray());
        });
  }

  /** Sends bytes as they are: a broken frame, half a frame, anything. */
  public ScriptedServer sendRaw(byte[] bytes) {
    byte[] copy = bytes.clone();
    return step("send " + copy.length + " raw bytes", (deadline, timeout) -> write(copy));
  }

  /** Sends a heartbeat frame. */
  public ScriptedServer sendHeartbeat() {
    return send(Frame.heartbeat());
  }

  /** Sends a RabbitMQ-like {@code connection.start} offering {@code PLAIN AMQPLAIN}. */
  public ScriptedServer sendConnectionStart() {
    return send(ServerFrames.connectionStart());
  }

  /** Sends {@code connection.start} with these server properties and mechanisms. */
  public ScriptedServer sendConnectionStart(Map<String, ?> serverProperties, String mechanisms) {
    return send(ServerFrames.connectionStart(serverProperties, mechanisms));
  }

  /** Sends {@code connection.tune}. */
  public ScriptedServer sendTune(int channelMax, long frameMax, int heartbeatSeconds) {
    return send(ServerFrames.connectionTune(channelMax, frameMax, heartbeatSeconds));
  }

  // ---- steps: conversations ----

  /** Reads {@code connection.open} and answers {@code connection.open-ok}. */
  public ScriptedServer expectOpenAndAccept() {
    return expectMethodAndRespond(0, CONNECTION, 40, open -> ServerFrames.connectionOpenOk());
  }

  /**
   * The whole handshake of a RabbitMQ broker: protocol header, start, start-ok, tune (channel-max
   * 2047, frame-max 131072, this heartbeat), tune-ok, open, open-ok.
   */
  public ScriptedServer handshake(int heartbeatSeconds) {
    return handshake(2047, 131_072, heartbeatSeconds);
  }

  /** The whole handshake, tuning with these values. */
  public ScriptedServer handshake(int channelMax, long frameMax, int heartbeatSeconds) {
    return expectProtocolHeader()
        .sendConnectionStart()
        .expectMethod(0, CONNECTION, 11)
        .sendTune(channelMax, frameMax, heartbeatSeconds)
        .expectMethod(0, CONNECTION, 31)
        .expectOpenAndAccept();
  }

  /** Reads {@code channel.open} on the channel and answers {@code channel.open-ok}. */
  public ScriptedServer acceptChannelOpen(int channel) {
    return expectMethodAndRespond(
        channel, CHANNEL, 10, open -> ServerFrames.channelOpenOk(channel));
  }

  /** Reads {@code basic.consume} on the channel and answers {@code basic.consume-ok}. */
  public ScriptedServer acceptConsume(int channel, String consumerTag) {
    return expectMethodAndRespond(
        channel, BASIC, 20, consume -> ServerFrames.basicConsumeOk(channel, consumerTag));
  }

  /** Reads {@code channel.close} on the channel and answers {@code channel.close-ok}. */
  public ScriptedServer expectChannelCloseAndAccept(int channel) {
    return expectMethodAndRespond(
        channel, CHANNEL, 40, close -> ServerFrames.channelCloseOk(channel));
  }

  /** Reads {@code connection.close} and answers {@code connection.close-ok}. */
  public ScriptedServer expectConnectionCloseAndAccept() {
    return expectMethodAndRespond(0, CONNECTION, 50, close -> ServerFrames.connectionCloseOk());
  }

  // ---- steps: misbehaving ----

  /**
   * Stops reading and writing, with the socket left open, until {@link #resume()} or {@link
   * #close()}. The step counts as done once silence begins; steps after it run after {@link
   * #resume()}.
   */
  public ScriptedServer goSilent() {
    return step(
        "go silent",
        (deadline, timeout) -> {
          synchronized (lock) {
            silent = true;
          }
        });
  }

  /**
   * Does nothing for a while, neither reading nor writing: a slow peer. Not a way to wait for the
   * client; use an expect step for that. Ends early if the server is closed.
   */
  public ScriptedServer delay(Duration duration) {
    requirePositive(duration, "delay");
    return step(
        "delay " + duration,
        duration.plus(stepTimeoutNow()),
        (deadline, timeout) -> {
          long end = System.nanoTime() + duration.toNanos();
          synchronized (lock) {
            for (long left = duration.toNanos(); left > 0 && !closed; ) {
              try {
                TimeUnit.NANOSECONDS.timedWait(lock, left);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted during " + duration + " delay", e);
              }
              left = end - System.nanoTime();
            }
          }
        });
  }

  private Duration stepTimeoutNow() {
    synchronized (lock) {
      return stepTimeout;
    }
  }

  /** Closes the client's socket. Later expect steps fail; the server keeps listening for none. */
  public ScriptedServer closeSocket() {
    return step(
        "close the socket",
        (deadline, timeout) -> {
          // Read what the client sent already, so that closing sends FIN, not RST.
          Socket s = socket;
          try {
            while (frameMode && s.getInputStream().available() > 0 && fill(IDLE_POLL_MILLIS)) {
              for (Frame f = pollFrame(); f != null; f = pollFrame()) inbox.add(f);
            }
            if (!frameMode && s.getInputStream().available() > 0) fill(IDLE_POLL_MILLIS);
            s.shutdownOutput();
          } catch (IOException e) {
            // Closing anyway.
          }
          socketClosedByScript = true;
          closeQuietly(s);
        });
  }

  // ---- running ----

  /** Starts accepting the client and playing the script. Idempotent. */
  public ScriptedServer start() {
    synchronized (lock) {
      if (closed) throw new IllegalStateException("the server is closed");
      if (started) return this;
      started = true;
      thread = new Thread(this::run, "scripted-amqp091-server-" + port);
      thread.setDaemon(true);
      thread.start();
    }
    return this;
  }

  /** Ends a {@link #goSilent()}: the server reads and runs the remaining steps again. */
  public void resume() {
    synchronized (lock) {
      silent = false;
      lock.notifyAll();
    }
  }

  /**
   * Waits until every step added so far has run.
   *
   * @throws AssertionError if a step failed (naming it and what was received instead), or the
   *     script is not done within {@code timeout}
   */
  public void awaitDone(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        if (failure != null) throw new AssertionError(failure.getMessage(), failure.getCause());
        if (!started) throw new AssertionError("the scripted server was never started");
        if (completed == stepNames.size() && !running) return;
        long left = deadline - System.nanoTime();
        if (left <= 0 || finished) {
          String step = stepNames.get(completed);
          throw new AssertionError(
              "the script did not complete within "
                  + timeout
                  + ": step "
                  + (completed + 1)
                  + " ("
                  + step
                  + ") "
                  + (running ? "is still running" : "has not started")
                  + (silent ? " because the server is silent (call resume())" : "")
                  + (finished ? " and the server has stopped" : "")
                  + "; "
                  + receivedSummaryLocked());
        }
        waitLocked(left);
      }
    }
  }

  /** Every frame received from the client so far, heartbeats included, in order. */
  public List<Frame> received() {
    synchronized (lock) {
      return List.copyOf(received);
    }
  }

  /**
   * Waits for a frame from the client that matches, among those received so far and later.
   *
   * @throws AssertionError if none arrives within {@code timeout}
   */
  public Frame awaitReceived(String description, Predicate<Frame> matches, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        for (Frame frame : received) {
          if (matches.test(frame)) return frame;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || finished) {
          throw new AssertionError(
              "no "
                  + description
                  + " from the client within "
                  + timeout
                  + (clientGone == null ? "" : " (" + clientGone + ")")
                  + (failure == null ? "" : " (the script failed: " + failure.getMessage() + ")")
                  + "; "
                  + receivedSummaryLocked());
        }
        waitLocked(left);
      }
    }
  }

  /** Waits for the {@code connection.close} the client sent and returns what it said. */
  public Close clientClose(Duration timeout) {
    return Close.of(
        awaitReceived(
            "connection.close", f -> f.channel() == 0 && f.isMethod(CONNECTION, 50), timeout));
  }

  /** Waits for the {@code channel.close} the client sent on a channel and returns what it said. */
  public Close clientChannelClose(int channel, Duration timeout) {
    return Close.of(
        awaitReceived(
            "channel.close on channel " + channel,
            f -> f.channel() == channel && f.isMethod(CHANNEL, 40),
            timeout));
  }

  /**
   * Waits until the server has seen the client hang up (end of stream or reset). The server only
   * notices while it reads: in an expect step, or idle after the last step, not while silent.
   */
  public void awaitClientDisconnect(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (clientGone == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || finished) {
          throw new AssertionError(
              "the client did not hang up within "
                  + timeout
                  + (silent ? " (or did, unseen: the server is silent)" : "")
                  + "; "
                  + receivedSummaryLocked());
        }
        waitLocked(left);
      }
    }
  }

  /** Stops the script, closes the client's socket and the listening socket, ends the thread. */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
      lock.notifyAll();
    }
    closeQuietly(listener);
    closeQuietly(socket);
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
      try {
        t.join(JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "ScriptedServer{127.0.0.1:"
          + port
          + ", "
          + completed
          + "/"
          + stepNames.size()
          + " steps done"
          + (failure == null ? "" : ", failed")
          + "}";
    }
  }

  /** What a {@code connection.close} or {@code channel.close} from the client said. */
  public record Close(int channel, int replyCode, String replyText, int classId, int methodId) {
    static Close of(Frame frame) {
      try {
        ArgumentReader args = frame.arguments();
        return new Close(
            frame.channel(),
            args.shortUint(),
            args.shortString(),
            args.shortUint(),
            args.shortUint());
      } catch (FrameFormatException e) {
        throw new AssertionError("the client sent a malformed close: " + e.getMessage(), e);
      }
    }
  }

  // ---- the script thread ----

  private interface Action {
    void run(long deadlineNanos, Duration timeout) throws IOException, StepFailed;
  }

  private record Step(String description, Duration timeout, Action action) {}

  /** A step found something other than what it expected. */
  private static final class StepFailed extends Exception {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message, null, false, false);
    }
  }

  private ScriptedServer step(String description, Action action) {
    return step(description, null, action);
  }

  private ScriptedServer step(String description, Duration timeout, Action action) {
    synchronized (lock) {
      if (closed) throw new IllegalStateException("the server is closed");
      queued.add(new Step(description, timeout == null ? stepTimeout : timeout, action));
      stepNames.add(description);
      lock.notifyAll();
    }
    return this;
  }

  private void run() {
    try {
      if (!accept()) return;
      while (true) {
        Step step;
        synchronized (lock) {
          if (closed) return;
          if (silent) {
            lock.wait(IDLE_POLL_MILLIS * 10L);
            continue;
          }
          step = queued.poll();
          if (step != null) running = true;
        }
        if (step == null) {
          idle();
          continue;
        }
        long deadline = System.nanoTime() + step.timeout().toNanos();
        try {
          step.action().run(deadline, step.timeout());
        } catch (StepFailed | IOException | RuntimeException | AssertionError e) {
          fail(step, e);
          return;
        }
        synchronized (lock) {
          running = false;
          completed++;
          lock.notifyAll();
        }
      }
    } catch (InterruptedException e) {
      // close() ends the script.
    } finally {
      closeQuietly(socket);
      closeQuietly(listener);
      synchronized (lock) {
        running = false;
        finished = true;
        lock.notifyAll();
      }
    }
  }

  private boolean accept() {
    Duration timeout;
    synchronized (lock) {
      timeout = acceptTimeout;
    }
    try {
      listener.setSoTimeout(millis(timeout));
      Socket accepted = listener.accept();
      accepted.setTcpNoDelay(true);
      socket = accepted;
      // One client only: later connection attempts are refused.
      closeQuietly(listener);
      if (closed) closeQuietly(accepted);
      return !closed;
    } catch (SocketTimeoutException e) {
      recordFailure(
          new AssertionError(
              "no client connected to 127.0.0.1:" + port + " within " + timeout, null));
      return false;
    } catch (IOException e) {
      if (!closed) {
        recordFailure(new AssertionError("accepting the client failed: " + e, e));
      }
      return false;
    }
  }

  private void fail(Step step, Throwable e) {
    int number;
    synchronized (lock) {
      number = completed + 1;
    }
    String why =
        e instanceof StepFailed
            ? e.getMessage()
            : closed
                ? "the server was closed"
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    AssertionError error =
        new AssertionError(
            "scripted server step "
                + number
                + " ("
                + step.description()
                + ") failed: "
                + why
                + "; "
                + receivedSummary(),
            e instanceof StepFailed ? null : e);
    recordFailure(error);
  }

  private void recordFailure(AssertionError error) {
    synchronized (lock) {
      if (failure == null) failure = error;
      lock.notifyAll();
    }
  }

  /** With no step to run: read and record frames, or wait for a step. */
  private void idle() throws InterruptedException {
    boolean canRead;
    synchronized (lock) {
      canRead = frameMode && clientGone == null && !socketClosedByScript && !closed;
    }
    if (!canRead) {
      synchronized (lock) {
        if (queued.isEmpty() && !closed) lock.wait(IDLE_POLL_MILLIS * 10L);
      }
      return;
    }
    try {
      Frame frame = pollFrame();
      if (frame == null) {
        if (!fill(IDLE_POLL_MILLIS)) throw new EOFException();
        frame = pollFrame();
      }
      if (frame != null) inbox.add(frame);
    } catch (SocketTimeoutException e) {
      // Nothing arrived; look for a step again.
    } catch (EOFException e) {
      clientHungUp("the client closed the connection");
    } catch (IOException e) {
      if (!closed && !socketClosedByScript) clientHungUp("reading failed: " + e.getMessage());
    }
  }

  private void clientHungUp(String how) {
    synchronized (lock) {
      if (clientGone == null) clientGone = how;
      lock.notifyAll();
    }
  }

  // ---- reading, on the script thread ----

  private Frame nextMethod(int channel, int classId, int methodId, long deadline, Duration timeout)
      throws IOException, StepFailed {
    String expected = methodName(classId, methodId) + onChannel(channel);
    Frame frame;
    do {
      frame = nextFrame(deadline, timeout, expected);
    } while (frame.type() == Frame.HEARTBEAT);
    if (!frame.isMethod(classId, methodId) || (channel >= 0 && frame.channel() != channel)) {
      throw new StepFailed("received " + describe(frame) + " instead of " + expected);
    }
    return frame;
  }

  /** The next frame, from those read while idle or from the socket, by the deadline. */
  private Frame nextFrame(long deadline, Duration timeout, String expecting)
      throws IOException, StepFailed {
    Frame frame = inbox.poll();
    if (frame != null) return frame;
    while (true) {
      frame = pollFrame();
      if (frame != null) return frame;
      requireReadable(expecting);
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new StepFailed(
            "nothing but what is listed below arrived within "
                + timeout
                + " while waiting for "
                + expecting
                + (pendingLength == 0 ? "" : " (" + pendingLength + " bytes of a frame pending)"));
      }
      try {
        if (!fill(millis(Duration.ofNanos(left)))) {
          clientHungUp("the client closed the connection");
          throw new StepFailed(
              "the client closed the connection while the server waited for " + expecting);
        }
      } catch (SocketTimeoutException e) {
        // Loop: the deadline check reports it.
      } catch (IOException e) {
        if (closed) throw e;
        clientHungUp("reading failed: " + e.getMessage());
        throw new StepFailed(
            "reading failed (" + e.getMessage() + ") while the server waited for " + expecting);
      }
    }
  }

  private byte[] readRaw(int n, long deadline, Duration timeout, String expecting)
      throws IOException, StepFailed {
    if (!inbox.isEmpty()) {
      throw new StepFailed("frames arrived before " + expecting + ": " + inbox);
    }
    while (pendingLength < n) {
      requireReadable(expecting);
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new StepFailed(
            (pendingLength == 0 ? "nothing" : "only " + pendingLength + " bytes")
                + " arrived within "
                + timeout
                + " while waiting for "
                + expecting);
      }
      try {
        if (!fill(millis(Duration.ofNanos(left)))) {
          clientHungUp("the client closed the connection");
          throw new StepFailed(
              "the client closed the connection while the server waited for " + expecting);
        }
      } catch (SocketTimeoutException e) {
        // Loop: the deadline check reports it.
      }
    }
    byte[] bytes = Arrays.copyOf(pending, n);
    consume(n);
    return bytes;
  }

  private void requireReadable(String expecting) throws StepFailed {
    if (socketClosedByScript) {
      throw new StepFailed("the script closed the socket before " + expecting);
    }
    String gone;
    synchronized (lock) {
      gone = clientGone;
    }
    if (gone != null) throw new StepFailed(gone + " before " + expecting);
  }

  /** A complete frame from the bytes read so far, recorded; {@code null} if none is complete. */
  private Frame pollFrame() throws IOException {
    if (!frameMode || pendingLength < 7) return null;
    long size =
        ((long) (pending[3] & 0xFF) << 24)
            | ((pending[4] & 0xFF) << 16)
            | ((pending[5] & 0xFF) << 8)
            | (pending[6] & 0xFF);
    if (size > MAX_CLIENT_PAYLOAD) {
      throw new FrameFormatException(
          "the client sent a frame declaring " + size + " bytes, over " + MAX_CLIENT_PAYLOAD);
    }
    int total = (int) size + Frame.OVERHEAD;
    if (pendingLength < total) return null;
    Frame frame = Frame.readFrom(new ByteArrayInputStream(pending, 0, total), MAX_CLIENT_PAYLOAD);
    consume(total);
    synchronized (lock) {
      received.add(frame);
      lock.notifyAll();
    }
    return frame;
  }

  /** Reads what is available into the pending bytes; false at the end of the stream. */
  private boolean fill(int timeoutMillis) throws IOException {
    Socket s = socket;
    if (s == null || s.isClosed()) throw new IOException("socket closed");
    s.setSoTimeout(Math.max(1, timeoutMillis));
    if (pendingLength == pending.length) pending = Arrays.copyOf(pending, pending.length * 2);
    InputStream in = s.getInputStream();
    int n = in.read(pending, pendingLength, pending.length - pendingLength);
    if (n < 0) return false;
    pendingLength += n;
    return true;
  }

  private void consume(int n) {
    System.arraycopy(pending, n, pending, 0, pendingLength - n);
    pendingLength -= n;
  }

  private void write(byte[] bytes) throws IOException, StepFailed {
    if (socketClosedByScript) throw new StepFailed("the script closed the socket already");
    Socket s = socket;
    try {
      OutputStream out = s.getOutputStream();
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      if (closed) throw e;
      throw new StepFailed("writing to the client failed: " + e.getMessage());
    }
  }

  // ---- descriptions ----

  private String receivedSummary() {
    synchronized (lock) {
      return receivedSummaryLocked();
    }
  }

  private String receivedSummaryLocked() {
    if (received.isEmpty()) return "no frame received from the client";
    List<String> described = new ArrayList<>();
    for (Frame frame : received) described.add(describe(frame));
    return "frames received from the client: " + described;
  }

  private void waitLocked(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(lock, Math.max(1, Math.min(nanos, 100_000_000L)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for the scripted server", e);
    }
  }

  /** A frame as a person reads it: {@code connection.close(501 "text") on channel 0}. */
  public static String describe(Frame frame) {
    if (frame.type() == Frame.HEARTBEAT) return "heartbeat";
    if (frame.type() != Frame.METHOD || frame.payload().length < 4) {
      String kind =
          switch (frame.type()) {
            case Frame.HEADER -> "content header";
            case Frame.BODY -> "content body";
            default -> "frame of type " + frame.type();
          };
      return kind + " of " + frame.payload().length + " bytes on channel " + frame.channel();
    }
    String name = methodName(frame.classId(), frame.methodId());
    if (frame.isMethod(CONNECTION, 50) || frame.isMethod(CHANNEL, 40)) {
      try {
        Close close = Close.of(frame);
        name += "(" + close.replyCode() + " \"" + close.replyText() + "\")";
      } catch (AssertionError e) {
        name += "(malformed)";
      }
    }
    return name + " on channel " + frame.channel();
  }

  private static String methodName(int classId, int methodId) {
    String name =
        switch (classId << 16 | methodId) {
          case 10 << 16 | 10 -> "connection.start";
          case 10 << 16 | 11 -> "connection.start-ok";
          case 10 << 16 | 20 -> "connection.secure";
          case 10 << 16 | 21 -> "connection.secure-ok";
          case 10 << 16 | 30 -> "connection.tune";
          case 10 << 16 | 31 -> "connection.tune-ok";
          case 10 << 16 | 40 -> "connection.open";
          case 10 << 16 | 41 -> "connection.open-ok";
          case 10 << 16 | 50 -> "connection.close";
          case 10 << 16 | 51 -> "connection.close-ok";
          case 10 << 16 | 60 -> "connection.blocked";
          case 10 << 16 | 61 -> "connection.unblocked";
          case 20 << 16 | 10 -> "channel.open";
          case 20 << 16 | 11 -> "channel.open-ok";
          case 20 << 16 | 20 -> "channel.flow";
          case 20 << 16 | 21 -> "channel.flow-ok";
          case 20 << 16 | 40 -> "channel.close";
          case 20 << 16 | 41 -> "channel.close-ok";
          case 60 << 16 | 20 -> "basic.consume";
          case 60 << 16 | 21 -> "basic.consume-ok";
          case 60 << 16 | 30 -> "basic.cancel";
          case 60 << 16 | 31 -> "basic.cancel-ok";
          case 60 << 16 | 40 -> "basic.publish";
          case 60 << 16 | 60 -> "basic.deliver";
          case 60 << 16 | 80 -> "basic.ack";
          case 60 << 16 | 90 -> "basic.reject";
          case 60 << 16 | 120 -> "basic.nack";
          default -> null;
        };
    return name != null ? name : "method " + classId + "." + methodId;
  }

  private static String onChannel(int channel) {
    return channel < 0 ? "" : " on channel " + channel;
  }

  private static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name + " == null");
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0");
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) return;
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Nothing more to release.
    }
  }
}
